import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { type DomainsHarness, HOUR, startDomainsHarness, zoneFor } from '../../../../../test/support/domains.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';
import { newId } from '../../../../lib/ids.js';

const DOMAIN_HEADER = [
  'id',
  'name',
  'status',
  'created_at',
  'open_tracking',
  'click_tracking',
  'tls',
  'custom_return_path',
  'tracking_subdomain',
  'tracking_host',
  'tracking_hosts',
];
const DELIVERY_HEADER = [
  'endpoint_id',
  'webhook_id',
  'event_type',
  'status',
  'attempts',
  'created_at',
  'last_attempt_at',
  'response_status',
  'duration_ms',
  'error',
  'next_attempt_at',
];

async function exportCsv(s: RunningWaymark, resource: string, filters?: Record<string, string>) {
  const res = await fetch(`${s.baseUrl}/v1/exports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resource, ...(filters ? { filters } : {}) }),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  return parse(text) as string[][];
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('never reached the expected state');
}

describe.each(backends())('domain and delivery-log exports on %s', (backend) => {
  let h: DomainsHarness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startDomainsHarness(backend, { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' });
  });
  afterAll(async () => {
    await h.stop();
    await receiver.close();
  });

  it('exports domains with their settings and every tracking host with its status, filtered on creation time', async () => {
    const s = h.s;
    const old = (await s.api('POST', '/v1/domains', { name: 'old.example.test' })).body;
    h.clock.advance(HOUR);
    const createdAt = h.clock.now();
    const brand = (await s.api('POST', '/v1/domains', { name: 'brand.example.test', open_tracking: true, click_tracking: true, tls: 'enforced', custom_return_path: 'bounce' })).body;
    expect(brand.id).toBeDefined();
    const set = (await s.api('PATCH', `/v1/domains/${brand.id}`, { tracking_subdomain: 'links' })).body;
    await h.dns.setRecords(zoneFor(set));
    expect((await s.api('POST', `/v1/domains/${brand.id}/verify`)).body.tracking_host).toBe('links.brand.example.test');
    h.clock.advance(24 * HOUR + 1_000);
    const changed = (await s.api('PATCH', `/v1/domains/${brand.id}`, { tracking_subdomain: 'go' })).body;
    expect(changed.status).toBe('partially_verified');

    const rows = await exportCsv(s, 'domains');
    expect(rows[0]).toEqual(DOMAIN_HEADER);
    expect(rows.slice(1)).toEqual([
      [
        brand.id,
        'brand.example.test',
        'partially_verified',
        new Date(createdAt).toISOString(),
        'true',
        'true',
        'enforced',
        'bounce',
        'go',
        'links.brand.example.test',
        'links.brand.example.test (verified, active); go.brand.example.test (pending)',
      ],
      [old.id, 'old.example.test', 'not_started', old.created_at, 'false', 'false', 'opportunistic', 'send', '', '', ''],
    ]);

    // since inclusive, until exclusive, on the creation time.
    expect((await exportCsv(s, 'domains', { since: new Date(createdAt).toISOString() })).slice(1).map((r) => r[1])).toEqual(['brand.example.test']);
    expect((await exportCsv(s, 'domains', { until: new Date(createdAt).toISOString() })).slice(1).map((r) => r[1])).toEqual(['old.example.test']);
    expect(await exportCsv(s, 'domains', { since: '2999-01-01T00:00:00Z' })).toEqual([DOMAIN_HEADER]);
  });

  it("exports the delivery log across the project's endpoints or for one, by status and creation time", async () => {
    const s = h.s;
    const ok = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.opened'] })).body;
    receiver.trust(ok.secret);
    // A receiver that is gone: connections are refused, so the delivery stays pending, to be retried.
    const gone = await startReceiver();
    await gone.close();
    const down = (await s.api('POST', '/v1/webhooks', { url: gone.url, events: ['email.opened'] })).body;
    const okId = ok.endpoint.id as string;
    const downId = down.endpoint.id as string;
    expect(downId > okId).toBe(true);

    const created = h.clock.now();
    const emailId = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const html = (await s.api('GET', `/v1/emails/${emailId}`)).body.html as string;
    await fetch(onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!));
    const open = (await s.api('GET', `/v1/emails/${emailId}/events`)).body.data.find((e: { type: string }) => e.type === 'opened');
    await waitFor(
      async () => [
        (await s.api('GET', `/v1/webhooks/${okId}/deliveries`)).body.data,
        (await s.api('GET', `/v1/webhooks/${downId}/deliveries`)).body.data,
      ],
      ([a, b]) => a[0]?.status === 'delivered' && b[0]?.attempts === 1,
    );

    const rows = await exportCsv(s, 'webhook_deliveries');
    expect(rows[0]).toEqual(DELIVERY_HEADER);
    const at = new Date(created).toISOString();
    // The same message to two endpoints: newest message first, then by endpoint.
    expect(rows.slice(1)).toEqual([
      [downId, `msg_${open.id}`, 'email.opened', 'pending', '1', at, at, '', expect.stringMatching(/^\d+$/), expect.stringMatching(/.+/), expect.stringMatching(/^\d{4}-/)],
      [okId, `msg_${open.id}`, 'email.opened', 'delivered', '1', at, at, '200', expect.stringMatching(/^\d+$/), '', ''],
    ]);
    expect(new Date(rows[1]![10]!).getTime()).toBeGreaterThan(created);
    // No payloads, answers or secrets in the log.
    const flat = rows.flat().join('\n');
    expect(flat).not.toContain(ok.secret.slice(6));
    expect(flat).not.toContain('ann@example.org');

    const only = async (filters: Record<string, string>) => (await exportCsv(s, 'webhook_deliveries', filters)).slice(1).map((r) => `${r[0]} ${r[3]}`);
    expect(await only({ endpoint_id: okId })).toEqual([`${okId} delivered`]);
    expect(await only({ status: 'pending' })).toEqual([`${downId} pending`]);
    expect(await only({ endpoint_id: okId, status: 'pending' })).toEqual([]);
    expect(await only({ since: at })).toHaveLength(2);
    expect(await only({ until: at })).toEqual([]);
    expect(await only({ since: new Date(created + 1).toISOString() })).toEqual([]);
  });
});

describe.each(backends())('delivery-log export paging on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    await s.waymark.webhookWorker.stop();
  });
  afterAll(() => s.stop());

  it('pages through messages that went to several endpoints without losing or repeating a row', async () => {
    const endpoints: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      endpoints.push((await s.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/${name}`, events: ['email.opened'] })).body.endpoint.id as string);
    }
    const emailId = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const now = Date.now();
    // 300 opens to 3 endpoints: 900 deliveries, read in pages of 500; the first page ends inside a message's triple.
    const hits = Array.from({ length: 300 }, (_, i) => ({
      id: newId(),
      emailId,
      type: 'opened' as const,
      createdAt: now + i,
      ip: null,
      userAgent: null,
      referer: null,
      linkIndex: null,
      url: null,
    }));
    await s.waymark.store.events.appendHits(hits);

    const rows = (await exportCsv(s, 'webhook_deliveries')).slice(1);
    const expected = hits
      .map((x) => `msg_${x.id}`)
      .reverse()
      .flatMap((m) => [...endpoints].sort().reverse().map((e) => `${e} ${m}`));
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual(expected);
    expect(rows).toHaveLength(900);
    expect(await exportCsv(s, 'webhook_deliveries', { endpoint_id: endpoints[1]! })).toHaveLength(301);
    expect(await exportCsv(s, 'webhook_deliveries', { status: 'delivered' })).toHaveLength(1);
  });
});
