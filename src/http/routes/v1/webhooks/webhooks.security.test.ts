import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../../../adapters/webhooks/http-sender.js';
import { WebhookSendError } from '../../../../ports/webhook-sender.js';
import { systemClock } from '../../../../ports/clock.js';
import { createProject } from '../../../../services/projects.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

describe('webhooks are no way into the private network (SSRF guard on)', () => {
  let s: RunningWaymark;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    s = await startWaymark();
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
  });

  it.each([
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://[::1]:9/x',
    'http://[::ffff:127.0.0.1]:9/x',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/x',
    'http://192.168.1.1/x',
    'http://100.64.0.1/x',
    'http://0.0.0.0/x',
    'http://224.0.0.1/x',
    'http://2130706433/x',
    'http://0x7f000001/x',
  ])('refuses an endpoint at %s', async (url) => {
    const res = await s.api('POST', '/v1/webhooks', { url, events: ['email.opened'] });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/not a public address|resolved/);
  });

  it('checks again at send time and never connects to a forbidden address', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: false });
    const attempt = sender.send({ url: receiver.url, headers: {}, body: '{}', timeoutMs: 1_000 });
    await expect(attempt).rejects.toBeInstanceOf(WebhookSendError);
    await expect(attempt).rejects.toMatchObject({ kind: 'forbidden_address' });
    expect(receiver.received).toHaveLength(0);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true });
    receiver.hold();
    const attempt = sender.send({ url: receiver.url, headers: {}, body: '{}', timeoutMs: 300 });
    await expect(attempt).rejects.toMatchObject({ kind: 'timeout' });
    receiver.release();
  });

  it('reads at most 1 KB of an answer', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true });
    receiver.answer({ status: 500, body: 'x'.repeat(100_000) });
    const res = await sender.send({ url: receiver.url, headers: {}, body: '{}', timeoutMs: 5_000 });
    expect(res.status).toBe(500);
    expect(res.body).toBe('x'.repeat(1024));
  });
});

describe('webhook endpoints belong to a project and to admins', () => {
  let s: RunningWaymark;
  let memberKey: string;
  let otherProjectKey: string;
  let endpointId: string;
  let secret: string;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    memberKey = (await s.api('POST', '/v1/api-keys', { name: 'member', role: 'member' })).body.key;
    const other = await createProject(s.waymark.store, systemClock, 'Other team');
    otherProjectKey = (await s.waymark.apiKeys.issue(other.id, 'other admin', 'admin')).secret;
    const created = (await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['email.opened'] })).body;
    endpointId = created.endpoint.id;
    secret = created.secret;
  });
  afterAll(() => s.stop());

  it("answers 404, never 403, for another project's endpoint, and hides it from lists", async () => {
    const as = { authorization: `Bearer ${otherProjectKey}` };
    for (const [method, path] of [
      ['GET', `/v1/webhooks/${endpointId}`],
      ['DELETE', `/v1/webhooks/${endpointId}`],
      ['POST', `/v1/webhooks/${endpointId}/rotate-secret`],
      ['GET', `/v1/webhooks/${endpointId}/deliveries`],
    ] as const) {
      expect((await s.api(method, path, undefined, as)).status, `${method} ${path}`).toBe(404);
    }
    expect((await s.api('GET', '/v1/webhooks', undefined, as)).body.data).toEqual([]);
    expect((await s.api('GET', `/v1/webhooks/${endpointId}`)).status).toBe(200);
  });

  it('lets a member key read endpoints but not create, change, rotate or delete them', async () => {
    const as = { authorization: `Bearer ${memberKey}` };
    expect((await s.api('GET', '/v1/webhooks', undefined, as)).status).toBe(200);
    expect((await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/y', events: ['email.opened'] }, as)).status).toBe(403);
    expect((await s.api('PATCH', `/v1/webhooks/${endpointId}`, { enabled: false }, as)).status).toBe(403);
    expect((await s.api('POST', `/v1/webhooks/${endpointId}/rotate-secret`, undefined, as)).status).toBe(403);
    expect((await s.api('DELETE', `/v1/webhooks/${endpointId}`, undefined, as)).status).toBe(403);
  });

  it('never shows the signing secret again', async () => {
    const everything = JSON.stringify([
      (await s.api('GET', `/v1/webhooks/${endpointId}`)).body,
      (await s.api('GET', '/v1/webhooks')).body,
      (await s.api('GET', `/v1/webhooks/${endpointId}/deliveries`)).body,
      (await s.api('GET', '/v1/openapi.json')).body,
    ]);
    expect(everything).not.toContain(secret.slice('whsec_'.length));
  });
});
