import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Email, WebhookEventType } from '../../../core/model.js';
import { newId } from '../../../lib/ids.js';
import type { NewWebhookEndpoint, Store } from '../../../ports/store.js';
import { hit, newEmail } from './store.contract.js';

const T0 = 1_760_000_000_000;

/** The webhook part of the store contract, run against every backend. */
export function defineWebhookContract(name: string, open: () => Promise<Store>): void {
  describe(`Webhook store contract: ${name}`, () => {
    let store: Store;
    let projectId: string;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
      projectId = newId();
      await store.projects.create({ id: projectId, name: 'p', isDefault: false, createdAt: T0 });
    });
    afterEach(() => store.close());

    function endpoint(events: WebhookEventType[], overrides: Partial<NewWebhookEndpoint> = {}): NewWebhookEndpoint {
      return {
        id: newId(),
        projectId,
        url: 'https://hooks.example.com/in',
        description: null,
        events,
        secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'),
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
        ...overrides,
      };
    }

    async function email(overrides: Parameters<typeof newEmail>[1] = {}): Promise<Email> {
      const created = await store.emails.create(newEmail(projectId, { status: 'queued', nextAttemptAt: T0, ...overrides }));
      if (created.outcome !== 'created') throw new Error('not created');
      return created.email;
    }

    it('creates, reads, lists, updates and deletes endpoints, within their project only', async () => {
      const a = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const b = await store.webhooks.createEndpoint(endpoint(['email.clicked'], { description: 'b' }));
      expect(await store.webhooks.getEndpoint(projectId, a.id)).toEqual(a);
      expect((await store.webhooks.listEndpoints(projectId, { limit: 10 })).map((e) => e.id)).toEqual([b.id, a.id]);
      expect((await store.webhooks.listEndpoints(projectId, { limit: 1, after: b.id })).map((e) => e.id)).toEqual([a.id]);

      const other = newId();
      await store.projects.create({ id: other, name: 'o', isDefault: false, createdAt: T0 });
      expect(await store.webhooks.getEndpoint(other, a.id)).toBeUndefined();
      expect(await store.webhooks.updateEndpoint(other, a.id, { enabled: false }, T0)).toBeUndefined();
      expect(await store.webhooks.deleteEndpoint(other, a.id)).toBe(false);

      const updated = await store.webhooks.updateEndpoint(projectId, a.id, { events: ['email.sent'], enabled: false, url: 'https://x.example/' }, T0 + 1);
      expect(updated).toMatchObject({ events: ['email.sent'], enabled: false, disabledReason: 'manual', url: 'https://x.example/', updatedAt: T0 + 1 });
      const rotated = await store.webhooks.updateEndpoint(projectId, a.id, { rotate: { secret: 'whsec_new', previousUntil: T0 + 99 } }, T0 + 2);
      expect(rotated).toMatchObject({ secret: 'whsec_new', previousSecret: a.secret, previousSecretUntil: T0 + 99 });
      expect(await store.webhooks.updateEndpoint(projectId, a.id, { enabled: true }, T0 + 3)).toMatchObject({ enabled: true, disabledReason: null });

      expect(await store.webhooks.deleteEndpoint(projectId, a.id)).toBe(true);
      expect(await store.webhooks.getEndpoint(projectId, a.id)).toBeUndefined();
    });

    it('finds the secrets stored in the clear and replaces them only if unchanged since read', async () => {
      const plain = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const sealed = await store.webhooks.createEndpoint(endpoint(['email.opened'], { secret: 'v1.k.iv.tag.ct' }));
      await store.webhooks.updateEndpoint(projectId, sealed.id, { rotate: { secret: 'v1.k.iv2.tag2.ct2', previousUntil: T0 + 9 } }, T0 + 1);
      const rotatedFromPlain = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      await store.webhooks.updateEndpoint(projectId, rotatedFromPlain.id, { rotate: { secret: 'v1.k.a.b.c', previousUntil: T0 + 9 } }, T0 + 1);

      const found = await store.webhooks.endpointsWithPlainSecrets();
      expect(found.map((e) => e.id).sort()).toEqual([plain.id, rotatedFromPlain.id].sort());

      await store.webhooks.replaceSecrets(plain.id, 'whsec_stale', 'v1.x.x.x.x', null, null);
      expect((await store.webhooks.getEndpoint(projectId, plain.id))?.secret).toBe(plain.secret);
      await store.webhooks.replaceSecrets(plain.id, plain.secret, 'v1.p.p.p.p', null, null);
      await store.webhooks.replaceSecrets(rotatedFromPlain.id, 'v1.k.a.b.c', 'v1.k.a.b.c', rotatedFromPlain.secret, 'v1.q.q.q.q');
      expect(await store.webhooks.getEndpoint(projectId, plain.id)).toMatchObject({ secret: 'v1.p.p.p.p', previousSecret: null });
      expect(await store.webhooks.getEndpoint(projectId, rotatedFromPlain.id)).toMatchObject({ secret: 'v1.k.a.b.c', previousSecret: 'v1.q.q.q.q' });
      expect(await store.webhooks.endpointsWithPlainSecrets()).toEqual([]);
    });

    it('writes a delivery beside each open and click, for enabled endpoints subscribed to its type only', async () => {
      const opens = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const both = await store.webhooks.createEndpoint(endpoint(['email.opened', 'email.clicked']));
      const disabled = await store.webhooks.createEndpoint(endpoint(['email.opened', 'email.clicked']));
      await store.webhooks.updateEndpoint(projectId, disabled.id, { enabled: false }, T0);
      const e = await email();
      const open = hit(e.id, 'opened', T0 + 10);
      const click = hit(e.id, 'clicked', T0 + 20);
      const orphan = hit(newId(), 'opened', T0 + 30);
      await store.events.appendHits([open, click, orphan]);

      const toOpens = await store.webhooks.listDeliveries(projectId, opens.id, { limit: 10 });
      const toBoth = await store.webhooks.listDeliveries(projectId, both.id, { limit: 10 });
      expect(toOpens.map((d) => [d.messageId, d.eventType, d.eventId, d.status])).toEqual([[open.id, 'email.opened', open.id, 'pending']]);
      expect(toBoth.map((d) => [d.messageId, d.eventType])).toEqual([
        [click.id, 'email.clicked'],
        [open.id, 'email.opened'],
      ]);
      expect(await store.webhooks.listDeliveries(projectId, disabled.id, { limit: 10 })).toEqual([]);
    });

    it('queues email.sent with the sent event, for a captured email and for a delivered one', async () => {
      const sent = await store.webhooks.createEndpoint(endpoint(['email.sent']));
      await email({ status: 'captured', sentAt: T0, nextAttemptAt: null });
      const queued = await email();
      await store.emails.recordDelivery({ emailId: queued.id, at: T0 + 5, status: 'sent', messageId: '<m@x>' });
      const deliveries = await store.webhooks.listDeliveries(projectId, sent.id, { limit: 10 });
      expect(deliveries.map((d) => d.eventType)).toEqual(['email.sent', 'email.sent']);
      const events = await store.events.list(projectId, { limit: 10, type: 'sent' });
      expect(deliveries.map((d) => d.eventId).sort()).toEqual(events.map((e) => e.id).sort());
    });

    it('claims due deliveries once, with their endpoint, event and email, until the lease lapses', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      const open = hit(e.id, 'opened', T0 + 10);
      await store.events.appendHits([open]);

      expect(await store.webhooks.claimDue(T0 + 9, T0 + 1_000, 10)).toEqual([]);
      const [claimed, ...rest] = await store.webhooks.claimDue(T0 + 10, T0 + 1_000, 10);
      expect(rest).toEqual([]);
      expect(claimed?.endpoint.id).toBe(ep.id);
      expect(claimed?.event).toMatchObject({ id: open.id, type: 'opened' });
      expect(claimed?.email?.id).toBe(e.id);
      expect(await store.webhooks.claimDue(T0 + 500, T0 + 2_000, 10)).toEqual([]);
      expect(await store.webhooks.claimDue(T0 + 1_000, T0 + 2_000, 10)).toHaveLength(1);
    });

    it('leaves the deliveries of endpoints it is told are busy', async () => {
      const busy = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const free = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      await store.events.appendHits([hit(e.id, 'opened', T0)]);
      const claimed = await store.webhooks.claimDue(T0 + 1, T0 + 1_000, 10, [busy.id]);
      expect(claimed.map((c) => c.endpoint.id)).toEqual([free.id]);
      expect((await store.webhooks.claimDue(T0 + 1, T0 + 1_000, 10)).map((c) => c.endpoint.id)).toEqual([busy.id]);
    });

    it('gives each due delivery to one of two concurrent claims', async () => {
      await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      await store.events.appendHits(Array.from({ length: 20 }, (_, i) => hit(e.id, 'opened', T0 + i)));
      const [a, b] = await Promise.all([store.webhooks.claimDue(T0 + 100, T0 + 1_000, 15), store.webhooks.claimDue(T0 + 100, T0 + 1_000, 15)]);
      const ids = [...a!, ...b!].map((c) => c.delivery.messageId);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });

    it('records attempts: delivered, retried, failed for good, and disabling the endpoint', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      const [h1, h2, h3] = [hit(e.id, 'opened', T0), hit(e.id, 'opened', T0 + 1), hit(e.id, 'opened', T0 + 2)];
      await store.events.appendHits([h1!, h2!, h3!]);
      const base = { endpointId: ep.id, durationMs: 12, error: null, response: 'ok' };

      await store.webhooks.recordAttempts([{ ...base, messageId: h1!.id, claimedUntil: T0, at: T0 + 100, statusCode: 500, outcome: 'retry', retryAt: T0 + 5_100 }]);
      expect((await store.webhooks.getEndpoint(projectId, ep.id))?.failingSince).toBe(T0 + 100);
      await store.webhooks.recordAttempts([{ ...base, messageId: h2!.id, claimedUntil: T0 + 1, at: T0 + 200, statusCode: 200, outcome: 'delivered' }]);
      expect((await store.webhooks.getEndpoint(projectId, ep.id))?.failingSince).toBeNull();
      await store.webhooks.recordAttempts([{ ...base, messageId: h3!.id, claimedUntil: T0 + 2, at: T0 + 300, statusCode: 410, outcome: 'failed', disableEndpoint: 'gone' }]);

      const byId = new Map((await store.webhooks.listDeliveries(projectId, ep.id, { limit: 10 })).map((d) => [d.messageId, d]));
      expect(byId.get(h1!.id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 5_100, lastStatusCode: 500, lastDurationMs: 12, lastResponse: 'ok' });
      expect(byId.get(h2!.id)).toMatchObject({ status: 'delivered', attempts: 1, nextAttemptAt: null, lastStatusCode: 200 });
      expect(byId.get(h3!.id)).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
      expect(await store.webhooks.getEndpoint(projectId, ep.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    });

    it('records a batch of attempts in order, in one call', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      const [h1, h2] = [hit(e.id, 'opened', T0), hit(e.id, 'opened', T0 + 1)];
      await store.events.appendHits([h1!, h2!]);
      const base = { endpointId: ep.id, durationMs: 1, error: null, response: null };
      await store.webhooks.recordAttempts([
        { ...base, messageId: h1!.id, claimedUntil: T0, at: T0 + 10, statusCode: 500, outcome: 'retry', retryAt: T0 + 20 },
        { ...base, messageId: h2!.id, claimedUntil: T0 + 1, at: T0 + 11, statusCode: 204, outcome: 'delivered' },
      ]);
      const statuses = (await store.webhooks.listDeliveries(projectId, ep.id, { limit: 10 })).map((d) => [d.messageId, d.status, d.attempts]);
      expect(statuses).toEqual([
        [h2!.id, 'delivered', 1],
        [h1!.id, 'pending', 1],
      ]);
      // The later success ends the run of failures the earlier attempt started.
      expect((await store.webhooks.getEndpoint(projectId, ep.id))?.failingSince).toBeNull();
    });

    it('logs an attempt on a delivery queued again meanwhile without undoing that', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      const h = hit(e.id, 'opened', T0);
      await store.events.appendHits([h]);
      const [claimed] = await store.webhooks.claimDue(T0, T0 + 60_000, 1);
      await store.webhooks.retryDelivery(projectId, ep.id, h.id, T0 + 5);
      await store.webhooks.recordAttempts([
        { endpointId: ep.id, messageId: h.id, claimedUntil: claimed!.delivery.nextAttemptAt!, at: T0 + 6, statusCode: 200, error: null, durationMs: 1, response: null, outcome: 'delivered' },
      ]);
      const [d] = await store.webhooks.listDeliveries(projectId, ep.id, { limit: 1 });
      expect(d).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5, attempts: 1, lastStatusCode: 200 });
    });

    it('queues a message to one endpoint or to subscribers, retries by hand and replays events since a time', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened', 'domain.updated']));
      const messageId = newId();
      expect(await store.webhooks.enqueue({ projectId, messageId, eventType: 'event.test', payload: '{"type":"event.test"}', createdAt: T0 }, ep.id)).toBe(1);
      expect(await store.webhooks.enqueue({ projectId, messageId: newId(), eventType: 'domain.updated', payload: '{}', createdAt: T0 })).toBe(1);
      expect(await store.webhooks.enqueue({ projectId, messageId: newId(), eventType: 'email.sent', payload: '{}', createdAt: T0 })).toBe(0);

      await store.webhooks.recordAttempts([{ endpointId: ep.id, messageId, claimedUntil: T0, at: T0 + 1, statusCode: 500, error: null, durationMs: 1, response: null, outcome: 'failed' }]);
      expect(await store.webhooks.retryDelivery(projectId, ep.id, messageId, T0 + 50)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 50 });
      expect(await store.webhooks.retryDelivery(projectId, ep.id, newId(), T0 + 50)).toBeUndefined();

      const e = await email();
      const before = hit(e.id, 'opened', T0 + 10);
      const after = hit(e.id, 'opened', T0 + 1_000);
      const click = hit(e.id, 'clicked', T0 + 1_001);
      await store.events.appendHits([before, after, click]);
      await store.webhooks.recordAttempts([{ endpointId: ep.id, messageId: after.id, claimedUntil: T0 + 1_000, at: T0 + 1_100, statusCode: 200, error: null, durationMs: 1, response: null, outcome: 'delivered' }]);
      expect(await store.webhooks.replay(projectId, ep.id, T0 + 500, T0 + 2_000, 100)).toBe(1);
      const replayed = (await store.webhooks.listDeliveries(projectId, ep.id, { limit: 10 })).find((d) => d.messageId === after.id);
      expect(replayed).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 2_000, eventId: after.id });
    });
  });
}
