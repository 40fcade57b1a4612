import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../test/support/in-process.js';

describe('a JSON content type with no body', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(() => s.stop());

  const send = (method: string, path: string) =>
    fetch(`${s.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' } });

  it('is no body on a route that takes none', async () => {
    const { body } = await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['email.opened'] });
    expect(body.id).toEqual(expect.any(String));
    const res = await send('DELETE', `/v1/webhooks/${body.id}`);
    expect([res.status, await res.json()]).toEqual([200, { id: body.id, object: 'webhook', deleted: true }]);
  });

  it('is refused, changing nothing, on a route that takes a body', async () => {
    const res = await send('POST', '/v1/webhooks');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_json', message: 'the JSON body is empty' },
      name: 'validation_error',
      message: 'the JSON body is empty',
      statusCode: 400,
    });
    expect((await s.api('GET', '/v1/webhooks')).body.data).toHaveLength(0);
  });
});
