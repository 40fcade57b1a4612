import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { newId } from '../../../../lib/ids.js';

async function raw(s: RunningWaymark, method: string, path: string, body?: unknown) {
  const res = await fetch(s.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${s.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe.each(backends())('exports on %s', (backend) => {
  let s: RunningWaymark;
  let now = Date.now();
  beforeAll(async () => {
    s = await startWaymark({ backend, clock: { now: () => now } });
  });
  afterAll(() => s.stop());

  it('returns up to 1,000 rows inline as RFC 4180 CSV with a header, formula cells neutralised', async () => {
    await s.api('POST', '/v1/emails', emailBody({ subject: '=HYPERLINK("http://evil.example","click")' }));
    await s.api('POST', '/v1/emails', emailBody({ subject: 'Plain, "quoted"\nsubject' }));
    const res = await raw(s, 'POST', '/v1/exports', { resource: 'emails' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parse(res.text) as string[][];
    expect(rows[0]).toEqual([
      'id',
      'created_at',
      'status',
      'from',
      'to',
      'subject',
      'tags',
      'sent_at',
      'opened_at',
      'clicked_at',
      'open_count',
      'click_count',
      'human_opened_at',
      'human_clicked_at',
      'human_open_count',
      'human_click_count',
    ]);
    expect(rows.slice(1).map((r) => r[5]).sort()).toEqual(['\'=HYPERLINK("http://evil.example","click")', 'Plain, "quoted"\nsubject'].sort());
    expect(res.text.endsWith('\r\n')).toBe(true);

    // It is listed, and downloadable with the same content.
    const id = res.headers.get('x-export-id')!;
    const list = (await s.api('GET', '/v1/exports')).body;
    expect(list.data[0]).toMatchObject({ id, resource: 'emails', status: 'completed', rows: 2, rows_done: 2 });
    const again = await raw(s, 'GET', `/v1/exports/${id}/download`);
    expect(again.status).toBe(200);
    expect(again.text).toBe(res.text);
  });

  it('exports API keys as metadata only, never the secret or its hash', async () => {
    const res = await raw(s, 'POST', '/v1/exports', { resource: 'api_keys' });
    expect(res.status).toBe(200);
    const rows = parse(res.text) as string[][];
    expect(rows[0]).toEqual(['id', 'name', 'role', 'prefix', 'created_at', 'last_used_at']);
    expect(res.text).not.toContain(s.adminKey);
    expect(res.text).not.toMatch(/[0-9a-f]{64}/);
  });

  it('builds more than 1,000 rows in the background (202), streaming in pages, then serves the file', async () => {
    const email = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
    const hits = Array.from({ length: 1_203 }, (_, i) => ({
      id: newId(),
      emailId: email,
      type: 'opened' as const,
      createdAt: now + i,
      ip: '203.0.113.9',
      userAgent: i % 2 === 0 ? '-1+1' : 'Mail, "x"',
      referer: null,
      linkIndex: null,
      url: null,
    }));
    await s.waymark.store.events.appendHits(hits);
    const res = await s.api('POST', '/v1/exports', { resource: 'events', filters: { email_id: email, type: 'opened' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ object: 'export', resource: 'events', status: 'running', filters: { email_id: email, type: 'opened' } });
    let job = res.body;
    for (let i = 0; i < 200 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = (await s.api('GET', '/v1/exports')).body.data.find((j: { id: string }) => j.id === res.body.id);
    }
    expect(job).toMatchObject({ status: 'completed', rows: 1_203, rows_done: 1_203 });
    const file = await raw(s, 'GET', `/v1/exports/${job.id}/download`);
    expect(file.status).toBe(200);
    const rows = parse(file.text) as string[][];
    expect(rows).toHaveLength(1_204);
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(hits.map((h) => h.id)));
    expect(new Set(rows.slice(1).map((r) => r[5]))).toEqual(new Set(["'-1+1", 'Mail, "x"']));
  });

  it('answers 410 expired after 7 days', async () => {
    const res = await raw(s, 'POST', '/v1/exports', { resource: 'api_keys' });
    const id = res.headers.get('x-export-id')!;
    now += 7 * 86_400_000 - 1;
    expect((await raw(s, 'GET', `/v1/exports/${id}/download`)).status).toBe(200);
    now += 1;
    const gone = await s.api('GET', `/v1/exports/${id}/download`);
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('expired');
  });
});
