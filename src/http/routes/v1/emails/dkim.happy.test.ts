import { Resolver } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DomainsHarness, startDomainsHarness, zoneFor } from '../../../../../test/support/domains.js';
import { startRelay, statusOf } from '../../../../../test/support/smtp-relay.js';

/** mailauth (Postal Systems, by nodemailer's author) verifies DKIM as receivers do; it ships no types. */
const { dkimVerify } = createRequire(import.meta.url)('mailauth/lib/dkim/verify.js') as {
  dkimVerify(
    message: Buffer,
    options: { resolver: (name: string, rr: string) => Promise<unknown> },
  ): Promise<{ results: Array<{ signingDomain: string; selector: string; status: { result: string; comment?: string } }> }>;
};

describe('mail from a verified domain is DKIM-signed and sent on its return path', () => {
  let h: DomainsHarness;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let resolver: Resolver;
  beforeAll(async () => {
    relay = await startRelay();
    h = await startDomainsHarness('sqlite', { WAYMARK_SMTP_URL: relay.url });
    resolver = new Resolver();
    resolver.setServers([h.dns.address]);
  });
  afterAll(async () => {
    await h.stop();
    await relay.close();
  });

  async function deliver(from: string) {
    const res = await h.s.api('POST', '/v1/emails', { from, to: 'ann@example.org', subject: 'Signed', html: '<p>Hello</p>', text: 'Hello' });
    await statusOf(h.s, res.body.id, (status) => status !== 'queued');
    const received = relay.received.find((r) => r.raw.includes(`<${res.body.id}@`));
    expect(received, 'the relay got the message').toBeDefined();
    return { id: res.body.id as string, ...received! };
  }

  it('signs with the domain key: a receiver verifying against the published record gets pass', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'signed.example.test', custom_return_path: 'mail' })).body;
    await h.dns.setRecords(zoneFor(d));
    expect((await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body.status).toBe('verified');

    const mail = await deliver('News <news@signed.example.test>');
    expect(mail.from).toBe(`bounce+${mail.id}@mail.signed.example.test`);
    const { results } = await dkimVerify(Buffer.from(mail.raw), { resolver: (name, rr) => resolver.resolve(name, rr) });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ signingDomain: 'signed.example.test', selector: d.dkim_selector, status: { result: 'pass' } });

    // The same bytes with the body changed no longer verify: the check can fail.
    const tampered = mail.raw.replace('Hello', 'Hullo');
    expect((await dkimVerify(Buffer.from(tampered), { resolver: (name, rr) => resolver.resolve(name, rr) })).results[0]!.status.result).not.toBe('pass');
  });

  it('does not sign or change the envelope for a domain whose records are not verified', async () => {
    await h.s.api('POST', '/v1/domains', { name: 'unsigned.example.test' });
    const mail = await deliver('news@unsigned.example.test');
    expect(mail.raw).not.toMatch(/^DKIM-Signature:/im);
    expect(mail.from).toBe('news@unsigned.example.test');
  });
});
