import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Email, WebhookEventType } from '../../../core/model.js';
import { newId } from '../../../lib/ids.js';
import type { NewWebhookEndpoint, Store } from '../../../ports/store.js';
import { hit, newEmail } from './store.contract.js';

const T0 = 1_760_000_000_000;
const DAY = 86_400_000;

/**
 * Event retention (EventRepository.purgeBefore) and the project-wide delivery log
 * (WebhookRepository.listDeliveryLog), run against every backend.
 */
export function defineRetentionContract(name: string, open: () => Promise<Store>): void {
  describe(`Retention and delivery-log store contract: ${name}`, () => {
    let store: Store;
    let projectId: string;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
      projectId = newId();
      await store.projects.create({ id: projectId, name: 'p', isDefault: false, createdAt: T0 });
    });
    afterEach(() => store.close());

    async function email(overrides: Parameters<typeof newEmail>[1] = {}): Promise<Email> {
      const created = await store.emails.create(newEmail(projectId, { status: 'captured', sentAt: T0, nextAttemptAt: null, ...overrides }));
      if (created.outcome !== 'created') throw new Error('not created');
      return created.email;
    }

    function endpoint(events: WebhookEventType[], pid = projectId): NewWebhookEndpoint {
      return {
        id: newId(),
        projectId: pid,
        url: 'https://hooks.example.com/in',
        description: null,
        events,
        secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'),
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      };
    }

    const allEvents = async () => (await store.events.list(projectId, { limit: 1_000 })).map((e) => e.id).sort();

    it('purges events older than the cutoff, oldest first, at most a batch per call, and touches nothing else', async () => {
      const e = await email();
      const old = Array.from({ length: 5 }, (_, i) => hit(e.id, i % 2 === 0 ? 'opened' : 'clicked', T0 + i * DAY));
      const recent = [hit(e.id, 'opened', T0 + 10 * DAY), hit(e.id, 'clicked', T0 + 11 * DAY)];
      await store.events.appendHits([...old, ...recent]);
      const sentEvent = (await store.events.list(projectId, { limit: 10, type: 'sent' }))[0]!;
      const summary = await store.analytics.summary(projectId, {});
      const links = await store.analytics.links(projectId, {});
      const clients = await store.analytics.clients(projectId, {});
      const hourly = await store.analytics.hourly(projectId, {});
      const before = await store.emails.get(projectId, e.id);

      const cutoff = T0 + 10 * DAY;
      // The `sent` event (at T0) and the 5 old hits: 6 to go, 2 per call, the oldest first.
      expect(await store.events.purgeBefore(cutoff, 2)).toBe(2);
      const left = await allEvents();
      expect(left).not.toContain(sentEvent.id);
      expect(left).toHaveLength(8 - 2);
      expect(await store.events.purgeBefore(cutoff, 2)).toBe(2);
      expect(await store.events.purgeBefore(cutoff, 2)).toBe(2);
      expect(await store.events.purgeBefore(cutoff, 2)).toBe(0);
      expect(await allEvents()).toEqual(recent.map((h) => h.id).sort());

      // The rollups and the email's counters and first-open/click times stay as they were.
      expect(await store.analytics.summary(projectId, {})).toEqual(summary);
      expect(await store.analytics.links(projectId, {})).toEqual(links);
      expect(await store.analytics.clients(projectId, {})).toEqual(clients);
      expect(await store.analytics.hourly(projectId, {})).toEqual(hourly);
      expect(await store.emails.get(projectId, e.id)).toEqual(before);
      expect(before).toMatchObject({ openCount: 4, clickCount: 3, openedAt: T0, clickedAt: T0 + DAY });
    });

    it('purges every project, and an event exactly at the cutoff stays', async () => {
      const other = newId();
      await store.projects.create({ id: other, name: 'o', isDefault: false, createdAt: T0 });
      const mine = await email();
      const created = await store.emails.create(newEmail(other, { status: 'captured', sentAt: T0, nextAttemptAt: null }));
      if (created.outcome !== 'created') throw new Error('not created');
      const theirs = created.email;
      const atCutoff = hit(mine.id, 'opened', T0 + DAY);
      await store.events.appendHits([hit(mine.id, 'opened', T0 + 1), hit(theirs.id, 'opened', T0 + 2), atCutoff]);
      expect(await store.events.purgeBefore(T0 + DAY, 100)).toBe(4); // two `sent` events and two opens
      expect(await allEvents()).toEqual([atCutoff.id]);
      expect(await store.events.list(other, { limit: 10 })).toEqual([]);
    });

    it('keeps an event that a pending delivery is built from, until the delivery is delivered or failed', async () => {
      const ep = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const e = await email();
      const [pending, delivered, failed] = [hit(e.id, 'opened', T0 + 1), hit(e.id, 'opened', T0 + 2), hit(e.id, 'opened', T0 + 3)];
      await store.events.appendHits([pending!, delivered!, failed!]);
      const base = { endpointId: ep.id, durationMs: 1, error: null, response: null };
      await store.webhooks.recordAttempts([
        { ...base, messageId: pending!.id, claimedUntil: T0 + 1, at: T0 + 10, statusCode: 500, outcome: 'retry', retryAt: T0 + 99 },
        { ...base, messageId: delivered!.id, claimedUntil: T0 + 2, at: T0 + 10, statusCode: 200, outcome: 'delivered' },
        { ...base, messageId: failed!.id, claimedUntil: T0 + 3, at: T0 + 10, statusCode: 410, outcome: 'failed' },
      ]);

      // Everything but the pending delivery's event goes (the `sent` event included).
      expect(await store.events.purgeBefore(T0 + DAY, 100)).toBe(3);
      expect(await allEvents()).toEqual([pending!.id]);
      // The worker still finds it when it claims the delivery.
      const [claimed] = await store.webhooks.claimDue(T0 + 99, T0 + 1_000, 10);
      expect(claimed?.event?.id).toBe(pending!.id);

      await store.webhooks.recordAttempts([{ ...base, messageId: pending!.id, claimedUntil: T0 + 1_000, at: T0 + 100, statusCode: 200, outcome: 'delivered' }]);
      expect(await store.events.purgeBefore(T0 + DAY, 100)).toBe(1);
      expect(await allEvents()).toEqual([]);
      // The delivery log outlives the events it was built from.
      expect((await store.webhooks.listDeliveries(projectId, ep.id, { limit: 10 })).map((d) => d.status).sort()).toEqual(['delivered', 'delivered', 'failed']);
    });

    it('refuses a batch that is not a positive integer', async () => {
      await expect(store.events.purgeBefore(T0, 0)).rejects.toThrow(RangeError);
      await expect(store.events.purgeBefore(Number.NaN, 10)).rejects.toThrow(TypeError);
    });

    it("lists the project's delivery log across endpoints, newest first, paged by (message, endpoint)", async () => {
      const a = await store.webhooks.createEndpoint(endpoint(['email.opened', 'email.clicked']));
      const b = await store.webhooks.createEndpoint(endpoint(['email.opened']));
      const other = newId();
      await store.projects.create({ id: other, name: 'o', isDefault: false, createdAt: T0 });
      const foreign = await store.webhooks.createEndpoint(endpoint(['email.opened'], other));
      const e = await email();
      const opens = Array.from({ length: 4 }, (_, i) => hit(e.id, 'opened', T0 + i * 1_000));
      const click = hit(e.id, 'clicked', T0 + 5_000);
      await store.events.appendHits([...opens, click]);
      const otherEmail = await store.emails.create(newEmail(other, { status: 'captured', sentAt: T0, nextAttemptAt: null }));
      if (otherEmail.outcome !== 'created') throw new Error('not created');
      await store.events.appendHits([hit(otherEmail.email.id, 'opened', T0)]);

      // Each open went to both endpoints, under one message id: pages of 3 split such pairs.
      expect(b.id > a.id).toBe(true);
      const expected = [[click.id, a.id], ...opens.slice().reverse().flatMap((h) => [[h.id, b.id], [h.id, a.id]])];
      const seen: string[][] = [];
      let after: { messageId: string; endpointId: string } | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await store.webhooks.listDeliveryLog(projectId, { limit: 3, after });
        seen.push(...page.map((d) => [d.messageId, d.endpointId]));
        if (page.length < 3) break;
        after = { messageId: page[2]!.messageId, endpointId: page[2]!.endpointId };
      }
      expect(seen).toEqual(expected);
      expect(seen.some(([, ep]) => ep === foreign.id)).toBe(false);

      // Filters: one endpoint (paged by message id), status, creation time.
      const onlyB = await store.webhooks.listDeliveryLog(projectId, { limit: 2, endpointId: b.id });
      expect(onlyB.map((d) => d.messageId)).toEqual([opens[3]!.id, opens[2]!.id]);
      const nextB = await store.webhooks.listDeliveryLog(projectId, { limit: 10, endpointId: b.id, after: { messageId: opens[2]!.id, endpointId: b.id } });
      expect(nextB.map((d) => d.messageId)).toEqual([opens[1]!.id, opens[0]!.id]);
      await store.webhooks.recordAttempts([
        { endpointId: a.id, messageId: click.id, claimedUntil: T0 + 5_000, at: T0 + 6_000, statusCode: 200, error: null, durationMs: 3, response: 'ok', outcome: 'delivered' },
      ]);
      const delivered = await store.webhooks.listDeliveryLog(projectId, { limit: 10, status: 'delivered' });
      expect(delivered).toEqual([expect.objectContaining({ endpointId: a.id, messageId: click.id, status: 'delivered', attempts: 1, lastStatusCode: 200, lastDurationMs: 3 })]);
      const ranged = await store.webhooks.listDeliveryLog(projectId, { limit: 10, since: T0 + 1_000, until: T0 + 3_000 });
      expect(ranged.map((d) => d.messageId)).toEqual([opens[2]!.id, opens[2]!.id, opens[1]!.id, opens[1]!.id]);

      // Another project's endpoint, malformed ids and cursors find nothing.
      expect(await store.webhooks.listDeliveryLog(projectId, { limit: 10, endpointId: foreign.id })).toEqual([]);
      expect(await store.webhooks.listDeliveryLog(other, { limit: 10, endpointId: a.id })).toEqual([]);
      expect(await store.webhooks.listDeliveryLog(projectId, { limit: 10, endpointId: 'nope' })).toEqual([]);
      expect(await store.webhooks.listDeliveryLog(projectId, { limit: 10, after: { messageId: 'x', endpointId: a.id } })).toEqual([]);
      expect(await store.webhooks.listDeliveryLog('nope', { limit: 10 })).toEqual([]);
    });
  });
}
