import path from 'node:path';
import { Command, Option } from 'commander';
import { writeFileAtomically } from '../../adapters/ip-lists/atomic-write.js';
import { downloadText } from '../../adapters/ip-lists/download.js';
import { readIpListFile, type IpListFile } from '../../adapters/ip-lists/ip-list-file.js';
import { loadConfig } from '../../config/config.js';
import {
  IP_LIST_FORMATS,
  IpListMatcher,
  countRangesByLabel,
  formatIpList,
  isIpListLabel,
  parseIpList,
  parseIpListFileSpec,
  type IpListFileSpec,
  type IpListFormat,
  type IpRange,
  type ParsedIpList,
} from '../../core/classification/ip-lists.js';
import { printTable } from './table.js';

/** Apple's list is about 10 MB; a download past this is not a list. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

interface RefreshOptions {
  url: string;
  out: string;
  label?: string;
  format: IpListFormat | 'auto';
  timeout: string;
  maxBytes: string;
}

/** `waymark ip-lists refresh|check`: the machine IP lists of WAYMARK_MACHINE_IP_LISTS (docs/machine-ip-lists.md). */
export function ipListsCommand(): Command {
  const lists = new Command('ip-lists').description('machine IP lists, which label tracking hits from known machine addresses');
  lists
    .command('refresh')
    .description('download a list, check it, and replace the --out file with it in our own format; on any failure that file is left as it was')
    .requiredOption('--url <url>', "where to download the list (Apple's: https://mask-api.icloud.com/egress-ip-ranges.csv)")
    .requiredOption('--out <file>', 'the list file to write (one of WAYMARK_MACHINE_IP_LISTS)')
    .option('--label <label>', "the label of the ranges the list gives none (all of Apple's, e.g. apple_mpp)")
    .addOption(new Option('--format <format>', 'the format of the downloaded list').choices(['auto', ...IP_LIST_FORMATS]).default('auto'))
    .option('--timeout <seconds>', 'give up on a download that takes longer', '60')
    .option('--max-bytes <n>', 'refuse a larger download', String(DEFAULT_MAX_BYTES))
    .action(async (opts: RefreshOptions) => {
      if (opts.label !== undefined && !isIpListLabel(opts.label)) throw new Error(`--label must be 1 to 64 of a-z 0-9 _ : . - (got "${opts.label}")`);
      const timeoutMs = positiveNumber('--timeout', opts.timeout) * 1000;
      const maxBytes = positiveNumber('--max-bytes', opts.maxBytes);
      const out = path.resolve(opts.out);
      const unchanged = `${out} is left as it was`;
      const text = await downloadText(opts.url, { timeoutMs, maxBytes }).catch((err: Error) => {
        throw new Error(`${err.message}; ${unchanged}`);
      });
      const list = parseDownloaded(text, opts, unchanged);
      if (list.ranges.length === 0) throw new Error(`the list at ${opts.url} has no ranges; ${unchanged}`);
      const header = [
        'Waymark machine IP list, written by `waymark ip-lists refresh`; the next refresh replaces it.',
        `source: ${opts.url}`,
        `format: ${list.format}`,
        `fetched: ${new Date().toISOString()}`,
        ...(opts.label === undefined ? [] : [`label: ${opts.label}`]),
        `ranges: ${list.ranges.length}`,
      ];
      await writeFileAtomically(out, formatIpList(list.ranges, header));
      process.stdout.write(`wrote ${list.ranges.length} ranges to ${out} (${labelCounts(list.ranges)})\n`);
    });
  lists
    .command('check')
    .description('read list files as the server does and print how many ranges each label has; exits 1 if one does not load')
    .argument('[files...]', 'list files, each optionally path=label (default: those of WAYMARK_MACHINE_IP_LISTS)')
    .action(async (files: string[]) => {
      const specs = files.length > 0 ? files.map(fileSpec) : loadConfig(process.env).machineIpLists;
      if (specs.length === 0) throw new Error('no list files: name some, or set WAYMARK_MACHINE_IP_LISTS');
      const loaded: IpListFile[] = [];
      let failed = 0;
      for (const spec of specs) {
        try {
          loaded.push(await readIpListFile(spec));
        } catch (err) {
          failed++;
          process.stderr.write(`${(err as Error).message}\n`);
        }
      }
      const rows = loaded.flatMap((f) => countRangesByLabel(f.list.ranges).map(([label, n]) => [f.spec.path, f.list.format, label, String(n)]));
      if (rows.length > 0) printTable(['FILE', 'FORMAT', 'LABEL', 'RANGES'], rows);
      const conflicts = new IpListMatcher(loaded.flatMap((f) => f.list.ranges)).conflicts.length;
      if (conflicts > 0) process.stderr.write(`${conflicts} ranges are listed by two files with different labels; the first file named wins\n`);
      if (failed > 0) throw new Error(`${failed} of ${specs.length} list files do not load`);
    });
  return lists;
}

function parseDownloaded(text: string, opts: RefreshOptions, unchanged: string): ParsedIpList {
  try {
    return parseIpList(text, { format: opts.format, label: opts.label ?? null });
  } catch (err) {
    throw new Error(`the list at ${opts.url} does not parse: ${(err as Error).message}; ${unchanged}`);
  }
}

function fileSpec(arg: string): IpListFileSpec {
  const spec = parseIpListFileSpec(arg);
  return { path: path.resolve(spec.path), label: spec.label };
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number (got "${value}")`);
  return n;
}

function labelCounts(ranges: readonly IpRange[]): string {
  return countRangesByLabel(ranges).map(([label, n]) => `${label}: ${n}`).join(', ');
}
