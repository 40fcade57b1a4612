import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The payload as the reference library verified it, or the error it gave. */
  verified: unknown;
  verifyError: string | null;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

/**
 * A real webhook receiver on 127.0.0.1. Each request is verified with the `standardwebhooks`
 * package (the reference implementation) against the secrets it is given, and answered with the
 * next scripted answer (200 when none is left).
 */
export async function startReceiver() {
  const received: ReceivedWebhook[] = [];
  const script: Answer[] = [];
  let secrets: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  /** While set, answers wait for it (a receiver that does not answer). */
  let gate: { promise: Promise<void>; open: () => void } | null = null;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: unknown = null;
      let verifyError: string | null = 'no secret';
      for (const secret of secrets) {
        try {
          verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verifyError = null;
          break;
        } catch (err) {
          verifyError = (err as Error).message;
        }
      }
      received.push({ headers: req.headers, body, verified, verifyError });
      for (const w of [...waiters]) if (received.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      const answer = script.shift() ?? { status: 200 };
      const send = () => res.writeHead(answer.status, answer.headers).end(answer.body ?? 'ok');
      const held = gate?.promise;
      if (held) void held.then(send);
      else if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** The secrets deliveries are verified with (any one may match). */
    trust(...s: string[]) {
      secrets = s;
    },
    answer(...answers: Answer[]) {
      script.push(...answers);
    },
    /** From now on, requests are received but not answered until release(). */
    hold() {
      let open!: () => void;
      gate = { promise: new Promise<void>((r) => (open = r)), open };
    },
    release() {
      gate?.open();
      gate = null;
    },
    /** Resolves once `n` requests in all have arrived. */
    waitFor(n: number, timeoutMs = 10_000): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${n} webhooks arrived`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    close: () => new Promise<void>((resolve) => {
      gate?.open();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
