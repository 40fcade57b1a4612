import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { resolveKeyring } from '../../config/secret.js';
import { instrument } from '../../core/instrument/index.js';
import { parseKeyring } from '../../core/tokens/index.js';
import { newId } from '../../lib/ids.js';

interface InstrumentFlags {
  emailId?: string;
  open: boolean;
  click: boolean;
  text?: boolean;
  trackingUrl?: string;
}

export function instrumentCommand(): Command {
  return new Command('instrument')
    .description('read HTML (or, with --text, a plain-text part) on stdin and print it tracked on stdout')
    .option('--email-id <id>', "the id of the email in Waymark to sign into the tokens (default: a new one, which matches no email)")
    .option('--no-open', 'do not insert the open pixel')
    .option('--no-click', 'do not rewrite links')
    .option('--text', 'the input is a plain-text part: rewrite its URLs')
    .option('--tracking-url <url>', 'tracking base URL (default: WAYMARK_TRACKING_URL, else http://localhost:$PORT)')
    .action(async (flags: InstrumentFlags) => {
      const config = loadConfig(flags.trackingUrl ? { ...process.env, WAYMARK_TRACKING_URL: flags.trackingUrl } : process.env);
      let keyring = resolveKeyring(config, { create: false })?.keyring;
      if (!keyring) {
        process.stderr.write('waymark: warning: no signing secret configured yet; using a throwaway key, so these links will not verify on any server\n');
        keyring = parseKeyring(`throwaway:${randomBytes(32).toString('base64url')}`);
      }
      if (flags.emailId === undefined && (flags.open || flags.click)) {
        process.stderr.write(
          'waymark: warning: no --email-id given: the pixel and links are signed for a new id that matches no email, so opens and clicks on them will not be recorded against any email\n',
        );
      }
      const emailId = flags.emailId ?? newId();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(emailId)) {
        throw new Error(`--email-id must be a UUID (got "${emailId}")`);
      }
      const input = await readStdin();
      const result = instrument(flags.text ? { text: input } : { html: input }, {
        open: flags.open && !flags.text,
        click: flags.click ? (flags.text ? 'text' : 'html') : false,
        trackingUrl: config.trackingUrl,
        keyring,
        emailId: emailId.toLowerCase(),
        excludedHosts: config.excludedHosts,
      });
      process.stdout.write((flags.text ? result.text : result.html) ?? '');
    });
}

/** The input as UTF-8. Anything else is refused: decoding it would replace bytes the output must keep. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error('the input is not valid UTF-8; convert it first (e.g. iconv -f windows-1252 -t utf-8)');
  }
}
