import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('the list routes refuse bad paging and filters', () => {
  let s: RunningWaymark;
  let emailId: string;
  beforeAll(async () => {
    s = await startWaymark();
    emailId = (await s.api('POST', '/v1/emails', emailBody())).body.id;
  });
  afterAll(() => s.stop());

  const lists = () => ['/v1/emails', '/v1/events', `/v1/emails/${emailId}/events`];

  it.each([
    ['limit=101', /limit/],
    ['limit=0', /limit/],
    ['limit=ten', /limit/],
    ['after=not-a-uuid', /after/],
    ['colour=red', /unknown field "colour"/],
  ])('answers 422 for %s on every list', async (query, message) => {
    for (const list of lists()) {
      const res = await s.api('GET', `${list}?${query}`);
      expect(res.status, list).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toMatch(message);
    }
  });

  it.each([
    ['type=bounced', /type/],
    ['since=yesterday', /since/],
    ['email_id=42', /email_id/],
  ])('answers 422 for the event filter %s', async (query, message) => {
    const res = await s.api('GET', `/v1/events?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(message);
  });

  it('pages events with the cursor it returns, without repeats or gaps', async () => {
    for (let i = 0; i < 4; i++) await s.api('POST', '/v1/emails', emailBody());
    const all = (await s.api('GET', '/v1/events?limit=100')).body.data.map((e: { id: string }) => e.id);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: { data: { id: string }[]; has_more: boolean; next_cursor: string | null } = (
        await s.api('GET', `/v1/events?limit=2${after ? `&after=${after}` : ''}`)
      ).body;
      expect(page.data.length).toBeLessThanOrEqual(2);
      paged.push(...page.data.map((e) => e.id));
      after = page.has_more ? page.next_cursor : null;
    } while (after);
    expect(paged).toEqual(all);
  });
});
