import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/support/backends.js';
import { emailBody } from '../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../test/support/in-process.js';

/**
 * One rule on both backends: text the database cannot hold the same way on both (NUL, unpaired
 * surrogates) is refused with 422 naming the field, and nothing is written.
 */
describe.each(backends())('text the database cannot hold, on %s', (backend) => {
  let s: RunningWaymark;
  let memberKey: string;
  beforeAll(async () => {
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    memberKey = (await s.api('POST', '/v1/api-keys', { name: 'reader', role: 'member' })).body.key;
  });
  afterAll(() => s.stop());

  const counts = async () => ({
    emails: (await s.api('GET', '/v1/emails?limit=100')).body.data.length,
    webhooks: (await s.api('GET', '/v1/webhooks?limit=100')).body.data.length,
    keys: (await s.api('GET', '/v1/api-keys')).body.data.length,
  });

  const cases: Array<[string, string, Record<string, unknown>, string]> = [];
  for (const [bad, label] of [
    ['\u0000', 'NUL'],
    ['\uD800', 'a lone high surrogate'],
    ['\uDC00', 'a lone low surrogate'],
  ] as const) {
    cases.push(
      [`${label} in subject`, '/v1/emails', emailBody({ subject: `Hi ${bad}` }), 'body.subject'],
      [`${label} in text`, '/v1/emails', emailBody({ text: `x${bad}y` }), 'body.text'],
      [`${label} in html`, '/v1/emails', emailBody({ html: `<p>${bad}</p>` }), 'body.html'],
      [`${label} in the from display name`, '/v1/emails', emailBody({ from: `Acme${bad} <news@acme.test>` }), 'body.from'],
      [`${label} in a header name`, '/v1/emails', emailBody({ headers: { [`X-A${bad}`]: 'v' } }), 'body.headers (a key)'],
      [`${label} in a webhook description`, '/v1/webhooks', { url: 'http://127.0.0.1:9/h', events: ['email.opened'], description: `d${bad}` }, 'body.description'],
      [`${label} in an API key name`, '/v1/api-keys', { name: `k${bad}` }, 'body.name'],
    );
  }

  it.each(cases)('refuses %s with 422 naming the field, and writes nothing', async (_name, path, body, field) => {
    const before = await counts();
    const res = await s.api('POST', path, body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message.startsWith(`${field} contains`)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('refuses NUL and unpaired surrogates in query filters, for a member key too', async () => {
    for (const query of ['tag=a:%00', 'tag=a%00:b', 'domain=%00', 'tag=a:%ED%A0%80']) {
      const res = await s.api('GET', `/v1/analytics/summary?${query}`, undefined, { authorization: `Bearer ${memberKey}` });
      expect(res.status, query).toBeLessThan(500);
    }
    const nul = await s.api('GET', '/v1/analytics/summary?tag=a:%00', undefined, { authorization: `Bearer ${memberKey}` });
    expect(nul.status).toBe(422);
    expect(nul.body.error.message).toMatch(/^query\.tag contains a NUL/);
    const events = await s.api('GET', '/v1/events?type=opened%00');
    expect(events.status).toBe(422);
  });

  it('keeps every other character byte for byte, astral and control characters included', async () => {
    const subject = 'Ünïcödé 😀 \u0001\u001f \uFFFD \u2028 e\u0301';
    const created = await s.api('POST', '/v1/emails', emailBody({ subject, text: subject }));
    expect(created.status).toBe(201);
    const email = (await s.api('GET', `/v1/emails/${created.body.id}`)).body;
    expect(email.subject).toBe(subject);
    expect(email.text.startsWith(subject)).toBe(true);
  });

  it('refuses a body that is not UTF-8 (an overlong encoding) as 400, writing nothing', async () => {
    const before = await counts();
    const json = Buffer.from(JSON.stringify(emailBody({ subject: 'XX' })));
    const at = json.indexOf('XX');
    const overlong = Buffer.concat([json.subarray(0, at), Buffer.from([0xc0, 0xaf]), json.subarray(at + 2)]);
    const res = await fetch(`${s.baseUrl}/v1/emails`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
      body: overlong,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toEqual({ code: 'invalid_json', message: 'the body is not valid UTF-8' });
    expect(await counts()).toEqual(before);
  });
});
