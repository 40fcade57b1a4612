import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../bootstrap/logger.js';
import { createWaymark } from '../../../../bootstrap/waymark.js';
import { newId } from '../../../../lib/ids.js';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';
import { startReceiver } from '../../../../../test/support/webhook-receiver.js';

describe.each(backends())('webhook signing secrets at rest, on %s', (backend) => {
  let s: RunningWaymark;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    s = await startWaymark({ backend, env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await s.stop();
    await receiver.close();
  });

  it('stores them sealed, shows them once, and signs with them', async () => {
    const created = (await s.api('POST', '/v1/webhooks', { url: receiver.url, events: ['email.sent'] })).body;
    expect(created.secret).toMatch(/^whsec_/);
    const stored = await s.waymark.store.webhooks.getEndpoint(s.waymark.defaultProjectId, created.endpoint.id);
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(created.secret.slice(6));

    const rotated = (await s.api('POST', `/v1/webhooks/${created.endpoint.id}/rotate-secret`)).body;
    const after = await s.waymark.store.webhooks.getEndpoint(s.waymark.defaultProjectId, created.endpoint.id);
    expect(after!.secret).toMatch(/^v1\./);
    expect(after!.previousSecret).toBe(stored!.secret);

    receiver.trust(rotated.secret);
    await s.api('POST', '/v1/emails', emailBody());
    await receiver.waitFor(1);
    expect(receiver.received[0]!.verifyError).toBeNull();
    expect(String(receiver.received[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it('seals a secret stored in the clear (before sealing existed) at the next start, and it keeps verifying', async () => {
    const plain = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const id = newId();
    await s.waymark.store.webhooks.createEndpoint({
      id,
      projectId: s.waymark.defaultProjectId,
      url: receiver.url + '/legacy',
      description: null,
      events: ['email.opened'],
      secret: plain,
      enabled: true,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    });
    // Its own journal: one journal is one node's.
    const node = await createWaymark({ ...s.config, journalDir: `${s.config.journalDir}-second` }, { keyring: s.keyring, logger: createLogger('silent') });
    try {
      const stored = await node.store.webhooks.getEndpoint(s.waymark.defaultProjectId, id);
      expect(stored!.secret).toMatch(/^v1\./);
      expect(await node.store.webhooks.endpointsWithPlainSecrets()).toEqual([]);
    } finally {
      await node.close();
    }
    receiver.trust(plain);
    const before = receiver.received.length;
    expect((await s.api('POST', `/v1/webhooks/${id}/test`)).status).toBe(202);
    await receiver.waitFor(before + 1);
    const got = receiver.received[before]!;
    expect(got.verifyError).toBeNull();
  });
});
