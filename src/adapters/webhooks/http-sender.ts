import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPublicAddress, urlProblem } from '../../core/webhooks/address-policy.js';
import {
  RESPONSE_EXCERPT_BYTES,
  WebhookSendError,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookSender,
} from '../../ports/webhook-sender.js';

export interface HttpWebhookSenderOptions {
  /** WAYMARK_WEBHOOK_ALLOW_PRIVATE: lift the address policy (local development and tests). */
  allowPrivate: boolean;
}

/**
 * Webhooks over node:http(s). The host is resolved once, every address it resolves to must be a
 * public one, and the connection goes to the address that was checked (a custom `lookup`), so a
 * DNS answer that changes between the check and the connection (rebinding) cannot reach another
 * host. Redirects are not followed.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpWebhookSenderOptions) {}

  async check(url: string): Promise<string | null> {
    const problem = urlProblem(url);
    if (problem) return `the URL ${problem}`;
    try {
      await this.resolve(new URL(url).hostname);
      return null;
    } catch (err) {
      return err instanceof WebhookSendError ? err.message : `the host could not be resolved`;
    }
  }

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    const url = new URL(req.url);
    const pinned = await this.resolve(url.hostname);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookResponse>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) },
          agent: false,
          // The connection goes to the checked address; TLS still verifies the URL's host name.
          lookup: (_host, options, callback) => {
            if ((options as { all?: boolean }).all) callback(null, [pinned] as unknown as string, pinned.family);
            else callback(null, pinned.address, pinned.family);
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
            size += chunk.length;
            // Enough is read for the log; the rest of the body is not waited for.
            if (size >= RESPONSE_EXCERPT_BYTES) res.destroy();
          });
          const finish = () => {
            clearTimeout(timer);
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
              body: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8'),
            });
          };
          res.on('end', finish);
          res.on('close', finish);
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy(new WebhookSendError('timeout', `no answer within ${req.timeoutMs} ms`));
      }, req.timeoutMs);
      outgoing.on('error', (err) => {
        clearTimeout(timer);
        reject(err instanceof WebhookSendError ? err : new WebhookSendError('network', err.message));
      });
      outgoing.end(req.body);
    });
  }

  /** The address to connect to, after checking every address the host resolves to. */
  private async resolve(hostname: string): Promise<LookupAddress> {
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    let addresses: LookupAddress[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await dnsLookup(host, { all: true, verbatim: true });
      } catch (err) {
        throw new WebhookSendError('network', `the host ${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (addresses.length === 0) throw new WebhookSendError('network', `the host ${host} has no address`);
    if (!this.options.allowPrivate) {
      const forbidden = addresses.find((a) => !isPublicAddress(a.address));
      if (forbidden) {
        throw new WebhookSendError('forbidden_address', `the host ${host} resolves to ${forbidden.address}, which is not a public address`);
      }
    }
    return addresses[0]!;
  }
}
