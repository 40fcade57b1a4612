import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('GET /v1/analytics/* access', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend: 'sqlite' });
  });
  afterAll(() => s.stop());

  it.each(['/v1/analytics/summary', '/v1/analytics/clients', '/v1/analytics/timeseries', '/v1/analytics/links'])('%s needs an API key', async (path) => {
    const none = await fetch(s.baseUrl + path);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(s.baseUrl + path, { headers: { authorization: 'Bearer wm_not-a-key' } });
    expect(wrong.status).toBe(401);
  });

  it("never shows another project's emails", async () => {
    // An email of another project, written straight to the store with its own rollups.
    const other = await s.waymark.store.projects.create({ id: '0190a6b0-0000-7000-8000-0000000000aa', name: 'other', isDefault: false, createdAt: Date.now() });
    const created = await s.waymark.store.emails.create({
      id: '0190a6b0-0000-7000-8000-0000000000bb',
      projectId: other.id,
      from: 'a@example.com',
      to: ['b@example.com'],
      cc: [],
      bcc: [],
      replyTo: [],
      subject: 's',
      html: null,
      text: 't',
      headers: {},
      tags: [],
      trackOpens: false,
      trackClicks: false,
      links: [],
      status: 'captured',
      statusDetail: null,
      messageId: null,
      nextAttemptAt: null,
      createdAt: Date.now(),
      sentAt: Date.now(),
    });
    expect(created.outcome).toBe('created');
    expect((await s.api('GET', '/v1/analytics/summary')).body.sent).toBe(0);
    expect((await s.api('GET', '/v1/analytics/links?email_id=0190a6b0-0000-7000-8000-0000000000bb')).status).toBe(404);
  });
});
