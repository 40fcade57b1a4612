import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../../lib/ids.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('a webhook whose host now resolves to a private address', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  it('is refused at creation', async () => {
    for (const url of ['http://[::127.0.0.1]/', 'http://[::ffff:127.0.0.1]/', 'http://127.0.0.1/', 'http://localhost/', 'http://[fe80::1]/', 'http://192.0.0.9/']) {
      const res = await s.api('POST', '/v1/webhooks', { url });
      expect(res.status, url).toBe(422);
      expect(res.body.error.message, url).toMatch(/not a public address/);
    }
  });

  it('fails its delivery at once, with the reason, instead of retrying for hours', async () => {
    // As if the name had resolved to a public address when the endpoint was created.
    const id = newId();
    await s.waymark.store.webhooks.createEndpoint({
      id,
      projectId: s.waymark.defaultProjectId,
      url: 'http://localhost:9/hook',
      description: null,
      events: ['email.opened'],
      secret: 'whsec_' + Buffer.alloc(32, 1).toString('base64'),
      enabled: true,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    expect((await s.api('POST', `/v1/webhooks/${id}/test`)).status).toBe(202);
    let delivery: any;
    for (let i = 0; i < 100; i++) {
      [delivery] = (await s.api('GET', `/v1/webhooks/${id}/deliveries`)).body.data;
      if (delivery?.status !== 'pending') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, next_attempt_at: null, response_status: null });
    expect(delivery.error).toMatch(/resolves to (127\.0\.0\.1|::1), which is not a public address/);
  });
});
