import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { NEWSLETTER_HTML, TEXT_PART, emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('POST /v1/emails on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('instruments html and text, keeps the message as captured, and returns it as sent', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ tags: [{ name: 'campaign', value: 'nov' }] }));
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const { status, body: email } = await s.api('GET', `/v1/emails/${created.body.id}`);
    expect(status).toBe(200);
    expect(email.status).toBe('captured');
    expect(email.html).toContain('http://track.waymark.test/v1/track/open/');
    expect(email.html).not.toContain('href="https://example.com/a');
    expect(email.html).toContain("href='mailto:help@example.com'");
    expect(email.text).toMatch(/^Read it at http:\/\/track\.waymark\.test\/v1\/track\/click\/[A-Za-z0-9_-]+\. Thanks!$/);
    expect(email.links.map((l: { url: string }) => l.url)).toEqual([
      'https://example.com/a?x=1&y=2#top',
      'https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4',
      'https://example.com/text-link',
    ]);
    expect(email.tags).toEqual([{ name: 'campaign', value: 'nov' }]);
    expect(email).toMatchObject({ opened_at: null, clicked_at: null, open_count: 0, click_count: 0, last_event: 'sent' });
    expect(email.tracking).toEqual({ open: true, click: 'html_and_text', aggregate_only: false });
  });

  it('leaves the message byte for byte as given when no tracking is asked for', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ tracking: undefined }));
    const { body: email } = await s.api('GET', `/v1/emails/${created.body.id}`);
    expect(email.html).toBe(NEWSLETTER_HTML);
    expect(email.text).toBe(TEXT_PART);
    expect(email.links).toEqual([]);
  });

  it("tracks only the part named by click: 'html'", async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ tracking: { click: 'html' } }));
    const { body: email } = await s.api('GET', `/v1/emails/${created.body.id}`);
    expect(email.text).toBe(TEXT_PART);
    expect(email.html).not.toContain('/v1/track/open/');
    expect(email.links).toHaveLength(2);
  });

  it('returns the same id for a repeated Idempotency-Key with the same body', async () => {
    const headers = { 'idempotency-key': `k-${backend}-1` };
    const first = await s.api('POST', '/v1/emails', emailBody(), headers);
    const again = await s.api('POST', '/v1/emails', emailBody(), headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const headers = { 'idempotency-key': `k-${backend}-order` };
    const body = emailBody({ tracking: { open: true, click: true } });
    const reordered = Object.fromEntries(Object.entries({ ...body, tracking: { click: true, open: true } }).reverse());
    const first = await s.api('POST', '/v1/emails', body, headers);
    const again = await s.api('POST', '/v1/emails', reordered, headers);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('pages through emails newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await s.api('POST', '/v1/emails', emailBody({ subject: `page ${i}` }))).body.id);
    const first = await s.api('GET', '/v1/emails?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.has_more).toBe(true);
    const second = await s.api('GET', `/v1/emails?limit=2&after=${first.body.next_cursor}`);
    expect(second.body.data[0].id).toBe(ids[0]);
  });

  it('serves the message as RFC 5322 built by nodemailer', async () => {
    const created = await s.api('POST', '/v1/emails', emailBody({ subject: 'Raw check', bcc: 'hidden@example.org' }));
    const res = await fetch(`${s.baseUrl}/v1/emails/${created.body.id}/raw`, { headers: { authorization: `Bearer ${s.adminKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^message\/rfc822/);
    const raw = await res.text();
    expect(raw).toMatch(/^Subject: Raw check\r$/m);
    expect(raw).toMatch(new RegExp(`^Message-ID: <${created.body.id}@acme\\.test>\\r$`, 'm'));
    expect(raw).toContain('multipart/alternative');
    expect(raw).not.toContain('hidden@example.org');
  });
});
