import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../test/support/webhook-receiver.js';
import { openStore } from '../adapters/store/open-store.js';
import { HttpWebhookSender } from '../adapters/webhooks/http-sender.js';
import { parseKeyring } from '../core/tokens/index.js';
import { newId } from '../lib/ids.js';
import { systemClock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { WebhookWorker } from './webhook-worker.js';
import { WebhookService } from './webhooks.js';

const silent = { error: () => {}, warn: () => {} };
const keyring = parseKeyring('test:' + 's'.repeat(40));

describe('WebhookService.publish (the entry point for events such as domain.updated)', () => {
  let dir: string;
  let store: Store;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'waymark-publish-'));
    store = await openStore(`sqlite:${path.join(dir, 'w.db')}`);
    await store.migrate();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await store.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a signed event to the endpoints that subscribe to it, and only those', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true });
    const worker = new WebhookWorker(store, sender, systemClock, silent, { disableAfterMs: 3_600_000, pollMs: 20, keyring });
    const service = new WebhookService(store, sender, systemClock, keyring, () => worker.nudge());
    const projectId = newId();
    await store.projects.create({ id: projectId, name: 'p', isDefault: false, createdAt: Date.now() });
    const subscribed = await service.create(projectId, { url: receiver.url, events: ['domain.updated'] });
    await service.create(projectId, { url: receiver.url + '/other', events: ['email.opened'] });
    receiver.trust(subscribed.secret);
    worker.start();
    try {
      expect(await service.publish(projectId, 'domain.updated', { domain_id: 'd1', status: 'verified' })).toBe(1);
      await receiver.waitFor(1);
      await worker.idle();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.verifyError).toBeNull();
      expect(receiver.received[0]!.verified).toMatchObject({ type: 'domain.updated', data: { domain_id: 'd1', status: 'verified' } });
    } finally {
      await worker.stop();
    }
  });
});
