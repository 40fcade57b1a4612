import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, onServer, startWaymark } from '../../test/support/in-process.js';

describe('health and metrics', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  it('/healthz is public and reports the journal; /v1/metrics needs a key and counts what was ingested', async () => {
    const health = await fetch(`${s.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', journal: { dropped_hits: 0, ingest_lag_ms: 0, ingest_failing_since: null, ingest_error: null } });

    expect((await fetch(`${s.baseUrl}/v1/metrics`)).status).toBe(401);
    const created = await s.api('POST', '/v1/emails', { from: 'a@acme.test', to: 'b@example.org', subject: 'x', html: '<p>x</p>', tracking: { open: true } });
    const email = (await s.api('GET', `/v1/emails/${created.body.id}`)).body as { html: string };
    const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
    for (let i = 0; i < 3; i++) expect((await fetch(onServer(s, pixel))).status).toBe(200);
    await s.waymark.ingester.settled(5_000);

    const metrics = await s.api('GET', '/v1/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = metrics.body as string;
    expect(text).toMatch(/^# TYPE waymark_ingested_hits_total counter$/m);
    expect(text).toMatch(/^waymark_ingested_hits_total 3$/m);
    expect(text).toMatch(/^waymark_journal_dropped_hits_total 0$/m);
    expect(text).toMatch(/^waymark_ingest_failing 0$/m);
    expect(Number(/^waymark_journal_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});

describe('a full journal', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_JOURNAL_MAX_BYTES: '1' } });
  });
  afterAll(() => s.stop());

  it('still answers every pixel and redirects every click, and says how many hits it could not record', async () => {
    const created = await s.api('POST', '/v1/emails', {
      from: 'a@acme.test', to: 'b@example.org', subject: 'x', html: '<p><a href="https://example.com/x">x</a></p>', tracking: { open: true, click: true },
    });
    const email = (await s.api('GET', `/v1/emails/${created.body.id}`)).body as { html: string };
    const pixel = /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(email.html)![1]!;
    const click = /href="([^"]+\/v1\/track\/click\/[^"]+)"/.exec(email.html)![1]!;
    expect((await fetch(onServer(s, pixel))).status).toBe(200);
    const res = await fetch(onServer(s, click), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/x');
    const health = (await (await fetch(`${s.baseUrl}/healthz`)).json()) as { journal: { dropped_hits: number } };
    expect(health.journal.dropped_hits).toBe(2);
    expect((await s.api('GET', `/v1/emails/${created.body.id}`)).body).toMatchObject({ open_count: 0, click_count: 0 });
  });
});
