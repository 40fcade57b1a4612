import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { RunningWaymark } from './in-process.js';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1: it accepts mail, or answers with the code a recipient asks for. */
export async function startRelay(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = /^reject-(\d{3})@/.exec(address.address)?.[1];
      if (code) {
        const err = new Error(`rejected with ${code}`) as Error & { responseCode: number };
        err.responseCode = Number(code);
        callback(err);
      } else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

export async function statusOf(s: RunningWaymark, id: string, until: (status: string) => boolean): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    if (until(email.status)) return email;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`email ${id} never left its status`);
}

