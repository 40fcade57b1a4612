import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('the webhooks API refuses bad input and changes nothing', () => {
  let s: RunningWaymark;
  let endpointId: string;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    endpointId = (await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['email.opened'] })).body.endpoint.id;
  });
  afterAll(() => s.stop());

  const count = async () => (await s.api('GET', '/v1/webhooks?limit=100')).body.data.length;

  it.each([
    ['no url', { events: ['email.opened'] }, /missing required field "url"/],
    ['an empty event list', { url: 'https://hooks.example.com/', events: [] }, /events/],
    ['an unknown event', { url: 'https://hooks.example.com/', events: ['email.bounced'] }, /events/],
    ['event.test as a subscription', { url: 'https://hooks.example.com/', events: ['event.test'] }, /events/],
    ['an ftp URL', { url: 'ftp://hooks.example.com/', events: ['email.opened'] }, /url.*http/],
    ['a URL with credentials', { url: 'https://u:p@hooks.example.com/', events: ['email.opened'] }, /credentials/],
    ['not a URL', { url: 'hooks', events: ['email.opened'] }, /url/],
    ['an unknown field', { url: 'https://hooks.example.com/', events: ['email.opened'], secret: 'mine' }, /unknown field "secret"/],
    ['url and endpoint naming two URLs', { url: 'https://hooks.example.com/a', endpoint: 'https://hooks.example.com/b' }, /url and body.endpoint name two different URLs/],
    ['an endpoint that is not a URL', { endpoint: 'hooks', events: ['email.opened'] }, /url/],
  ])('refuses %s with 422', async (_name, body, message) => {
    const before = await count();
    const res = await s.api('POST', '/v1/webhooks', body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(message);
    expect(await count()).toBe(before);
  });

  it('refuses an empty or unknown change, and a bad URL, leaving the endpoint as it was', async () => {
    const before = (await s.api('GET', `/v1/webhooks/${endpointId}`)).body;
    for (const body of [{}, { colour: 'red' }, { url: 'gopher://x' }, { events: ['nope'] }, { enabled: 'yes' }]) {
      const res = await s.api('PATCH', `/v1/webhooks/${endpointId}`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await s.api('GET', `/v1/webhooks/${endpointId}`)).body).toEqual(before);
  });

  it('answers 404 for an unknown endpoint or delivery, and 422 for a malformed id', async () => {
    const unknown = '01900000-0000-7000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${unknown}`],
      ['PATCH', `/v1/webhooks/${unknown}`],
      ['DELETE', `/v1/webhooks/${unknown}`],
      ['POST', `/v1/webhooks/${unknown}/rotate-secret`],
      ['POST', `/v1/webhooks/${unknown}/test`],
      ['GET', `/v1/webhooks/${unknown}/deliveries`],
      ['POST', `/v1/webhooks/${endpointId}/deliveries/${unknown}/retry`],
    ] as const) {
      const res = await s.api(method, path, method === 'PATCH' ? { enabled: true } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await s.api('GET', '/v1/webhooks/42')).status).toBe(422);
  });

  it('refuses a replay without a valid time', async () => {
    for (const body of [{}, { since: 'yesterday' }, { since: 42 }]) {
      const res = await s.api('POST', `/v1/webhooks/${endpointId}/replay`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
  });
});
