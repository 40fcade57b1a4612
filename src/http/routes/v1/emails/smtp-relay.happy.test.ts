import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1: it accepts mail, or answers with the code a recipient asks for. */
async function startRelay(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
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

async function statusOf(s: RunningWaymark, id: string, until: (status: string) => boolean): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    if (until(email.status)) return email;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`email ${id} never left its status`);
}

describe('POST /v1/emails through an SMTP relay (WAYMARK_SMTP_URL)', () => {
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let s: RunningWaymark;
  beforeAll(async () => {
    relay = await startRelay();
    s = await startWaymark({ env: { WAYMARK_SMTP_URL: relay.url } });
  });
  afterAll(async () => {
    await s.stop();
    await relay.close();
  });

  it('queues the email, hands the tracked message to the relay, and marks it sent', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['ann@example.org'] }));
    expect(created.status).toBe(201);
    const email = await statusOf(s, created.body.id, (status) => status !== 'queued');
    expect(email.status).toBe('sent');
    const message = relay.received.find((m) => m.to.includes('ann@example.org'));
    expect(message?.from).toBe('news@acme.test');
    // The relay got the instrumented message: the pixel and tracked links are in it.
    const unfolded = message!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    expect(unfolded).toContain('http://track.waymark.test/v1/track/open/');
    expect(unfolded).toContain('http://track.waymark.test/v1/track/click/');
    const events = (await s.api('GET', `/v1/emails/${created.body.id}/events`)).body.data;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['sent']);
  });

  it('marks the email failed when the relay refuses it for good (5xx)', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['reject-550@example.org'] }));
    const email = await statusOf(s, created.body.id, (status) => status !== 'queued');
    expect(email.status).toBe('failed');
    const events = (await s.api('GET', `/v1/emails/${created.body.id}/events`)).body.data;
    expect(events).toMatchObject([{ type: 'failed', detail: expect.stringMatching(/550/) }]);
  });

  it('keeps the email queued for a retry when the relay defers it (4xx)', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ to: ['reject-451@example.org'] }));
    for (let i = 0; i < 100; i++) {
      const row = await s.waymark.store.emails.get(s.waymark.defaultProjectId, created.body.id);
      if (row?.deliveryAttempts === 1 && row.statusDetail) {
        expect(row.status).toBe('queued');
        expect(row.statusDetail).toMatch(/451/);
        expect(row.nextAttemptAt).toBeGreaterThan(Date.now() + 30_000);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the deferred attempt was never recorded');
  });
});
