import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { CNAME_TARGET, type DomainsHarness, HOUR, getOnHost, startDomainsHarness, trackingUrls, zoneFor } from '../../../../../test/support/domains.js';
import { unseal } from '../../../../core/secrets/sealed-box.js';
import { dkimPurpose } from '../../../../services/domains.js';

describe.each(backends())('domains on %s: records, verification and tracking hosts', (backend) => {
  let h: DomainsHarness;
  beforeAll(async () => {
    h = await startDomainsHarness(backend);
  });
  afterAll(() => h.stop());

  it('creates a domain with its records: DKIM (RSA 2048, private key sealed), SPF and MX on the return path, DMARC', async () => {
    const res = await h.s.api('POST', '/v1/domains', { name: 'Bücher.Example.test.' });
    expect(res.status).toBe(201);
    const d = res.body;
    expect(d).toMatchObject({ name: 'xn--bcher-kva.example.test', status: 'not_started', custom_return_path: 'send', open_tracking: false, click_tracking: false, tls: 'opportunistic' });
    const byKind = Object.fromEntries(d.records.map((r: any) => [r.record, r]));
    expect(Object.keys(byKind)).toEqual(['DKIM', 'SPF', 'MX', 'DMARC']);
    expect(byKind.DKIM).toMatchObject({ type: 'TXT', name: `${d.dkim_selector}._domainkey.xn--bcher-kva.example.test`, status: 'not_started', ttl: 3600 });
    const p = /p=([A-Za-z0-9+/=]+)$/.exec(byKind.DKIM.value)![1]!;
    const key = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(byKind.SPF).toMatchObject({ type: 'TXT', name: 'send.xn--bcher-kva.example.test', value: `v=spf1 include:${CNAME_TARGET} ~all` });
    expect(byKind.MX).toMatchObject({ type: 'MX', name: 'send.xn--bcher-kva.example.test', value: CNAME_TARGET, priority: 10 });
    expect(byKind.DMARC).toMatchObject({ name: '_dmarc.xn--bcher-kva.example.test', informational: true });

    const stored = (await h.s.waymark.store.domains.get(h.s.waymark.defaultProjectId, d.id))!;
    expect(stored.dkimPrivateKeySealed).not.toMatch(/PRIVATE KEY/);
    const pem = unseal(h.s.keyring, dkimPurpose(d.id), stored.dkimPrivateKeySealed);
    expect(createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64')).toBe(p);
  });

  it('goes not_started → pending → verified, each record with its own status and check time', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'flow.example.test', custom_return_path: 'bounces' })).body;
    expect(d.status).toBe('not_started');
    const pending = (await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body;
    expect(pending.status).toBe('pending');
    expect(pending.sending_status).toBe('pending');
    for (const r of pending.records) {
      expect(r.status, r.record).toBe('pending');
      expect(r.problem, r.record).toBe('nxdomain');
      expect(r.last_checked_at).toBe(new Date(h.clock.now()).toISOString());
    }
    expect(pending.next_check_at).toBe(new Date(h.clock.now() + 60_000).toISOString());

    // Only part of it: DKIM is there, SPF and MX not yet.
    const dkim = pending.records.find((r: any) => r.record === 'DKIM');
    await h.dns.setRecords([...zoneFor({ records: [dkim] })]);
    h.clock.advance(61_000);
    expect(await h.s.waymark.domains.checkDue()).toBeGreaterThanOrEqual(1);
    const partial = (await h.s.api('GET', `/v1/domains/${d.id}`)).body;
    expect(partial.status).toBe('pending');
    expect(partial.records.map((r: any) => [r.record, r.status])).toEqual([
      ['DKIM', 'verified'],
      ['SPF', 'pending'],
      ['MX', 'pending'],
      ['DMARC', 'pending'],
    ]);

    await h.dns.setRecords(zoneFor(pending));
    h.clock.advance(61_000);
    await h.s.waymark.domains.checkDue();
    const verified = (await h.s.api('GET', `/v1/domains/${d.id}`)).body;
    expect(verified.status).toBe('verified');
    expect(verified.next_check_at).toBe(new Date(h.clock.now() + 24 * HOUR).toISOString());
  });

  it('a removed record makes a verified domain a temporary failure, back to verified when restored', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'flaky.example.test' })).body;
    await h.dns.setRecords(zoneFor(d));
    expect((await h.s.api('POST', `/v1/domains/${d.id}/verify`)).body.status).toBe('verified');
    await h.dns.setRecords(zoneFor(d).filter((r) => r.type !== 'MX'));
    h.clock.advance(24 * HOUR);
    await h.s.waymark.domains.checkDue();
    const broken = (await h.s.api('GET', `/v1/domains/${d.id}`)).body;
    expect(broken.status).toBe('temporary_failure');
    expect(broken.records.find((r: any) => r.record === 'MX')).toMatchObject({ status: 'temporary_failure', problem: 'nodata' });
    await h.dns.setRecords(zoneFor(d));
    h.clock.advance(HOUR);
    await h.s.waymark.domains.checkDue();
    expect((await h.s.api('GET', `/v1/domains/${d.id}`)).body.status).toBe('verified');
  });

  it('a temporary failure becomes failed after 72 h on the injected clock', async () => {
    const d = (await h.s.api('POST', '/v1/domains', { name: 'gone.example.test' })).body;
    await h.dns.setRecords(zoneFor(d));
    await h.s.api('POST', `/v1/domains/${d.id}/verify`);
    await h.dns.setRecords([]);
    h.clock.advance(24 * HOUR);
    await h.s.waymark.domains.checkDue();
    const since = h.clock.now();
    expect((await h.s.api('GET', `/v1/domains/${d.id}`)).body.status).toBe('temporary_failure');
    // Re-checks run on their backoff; walk the clock through them.
    while (h.clock.now() < since + 72 * HOUR) {
      const next = Date.parse((await h.s.api('GET', `/v1/domains/${d.id}`)).body.next_check_at);
      expect(next).toBeLessThanOrEqual(since + 72 * HOUR);
      h.clock.set(next);
      await h.s.waymark.domains.checkDue();
    }
    const failed = (await h.s.api('GET', `/v1/domains/${d.id}`)).body;
    expect(failed.status).toBe('failed');
    expect(failed.records.filter((r: any) => r.record !== 'DMARC').every((r: any) => r.status === 'failed')).toBe(true);
  });

  it('lists domains with pagination and changes tracking settings', async () => {
    const page = (await h.s.api('GET', '/v1/domains?limit=2')).body;
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const rest = (await h.s.api('GET', `/v1/domains?limit=100&after=${page.next_cursor}`)).body;
    expect(rest.data.length).toBeGreaterThanOrEqual(2);
    const id = page.data[0].id;
    const patched = (await h.s.api('PATCH', `/v1/domains/${id}`, { open_tracking: true, click_tracking: true, tls: 'enforced' })).body;
    expect(patched).toMatchObject({ open_tracking: true, click_tracking: true, tls: 'enforced' });
  });
});
