import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { WebhookDeliveryStatus } from '../../core/model.js';
import type { ClaimedWebhook, WebhookRepository } from '../../ports/store.js';
import { enqueueMessage, requeueEvents } from './outbox.js';
import { normalizeId, pageCursor, pageLimit, requireId, toDelivery, toEmailSummary, toEndpoint, toEvent } from './rows.js';
import type { Backend, Database, DbBool, WebhookDeliveriesTable } from './schema.js';

export function webhookRepository(db: Kysely<Database>, backend: Backend, bool: (value: boolean) => DbBool): WebhookRepository {
  async function endpointRow(q: Kysely<Database>, projectId: string, id: string) {
    const pid = normalizeId(projectId);
    const eid = normalizeId(id);
    if (pid === undefined || eid === undefined) return undefined;
    return q.selectFrom('webhook_endpoints').selectAll().where('id', '=', eid).where('project_id', '=', pid).executeTakeFirst();
  }

  return {
    async createEndpoint(endpoint) {
      const row = await db
        .insertInto('webhook_endpoints')
        .values({
          id: requireId(endpoint.id, 'endpoint id'),
          project_id: requireId(endpoint.projectId, 'project id'),
          url: endpoint.url,
          description: endpoint.description,
          events: JSON.stringify(endpoint.events),
          secret: endpoint.secret,
          previous_secret: null,
          previous_secret_until: null,
          enabled: bool(endpoint.enabled),
          human_only: bool(endpoint.humanOnly ?? false),
          disabled_reason: null,
          failing_since: null,
          created_at: endpoint.createdAt,
          updated_at: endpoint.updatedAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async getEndpoint(projectId, id) {
      const row = await endpointRow(db, projectId, id);
      return row && toEndpoint(row);
    },

    async listEndpoints(projectId, page) {
      const limit = pageLimit(page);
      const pid = normalizeId(projectId);
      const after = pageCursor(page);
      if (limit === 0 || pid === undefined || after === null) return [];
      let q = db.selectFrom('webhook_endpoints').selectAll().where('project_id', '=', pid);
      if (after !== undefined) q = q.where('id', '<', after);
      return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toEndpoint);
    },

    async updateEndpoint(projectId, id, patch, at) {
      const existing = await endpointRow(db, projectId, id);
      if (existing === undefined) return undefined;
      const row = await db
        .updateTable('webhook_endpoints')
        .set({
          updated_at: at,
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.humanOnly !== undefined ? { human_only: bool(patch.humanOnly) } : {}),
          ...(patch.enabled === true ? { enabled: bool(true), disabled_reason: null, failing_since: null } : {}),
          ...(patch.enabled === false ? { enabled: bool(false), disabled_reason: 'manual' } : {}),
          ...(patch.rotate !== undefined
            ? { secret: patch.rotate.secret, previous_secret: existing.secret, previous_secret_until: patch.rotate.previousUntil }
            : {}),
        })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEndpoint(row);
    },

    async endpointsWithPlainSecrets() {
      const rows = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where(sql<boolean>`substr(secret, 1, 6) = 'whsec_' or substr(previous_secret, 1, 6) = 'whsec_'`)
        .execute();
      return rows.map(toEndpoint);
    },

    async replaceSecrets(id, secret, newSecret, previousSecret, newPreviousSecret) {
      const eid = normalizeId(id);
      if (eid === undefined) return;
      await db
        .updateTable('webhook_endpoints')
        .set({ secret: newSecret, previous_secret: newPreviousSecret })
        .where('id', '=', eid)
        .where('secret', '=', secret)
        .where((eb) => (previousSecret === null ? eb('previous_secret', 'is', null) : eb('previous_secret', '=', previousSecret)))
        .execute();
    },

    async deleteEndpoint(projectId, id) {
      const existing = await endpointRow(db, projectId, id);
      if (existing === undefined) return false;
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', existing.id).execute();
        await trx.deleteFrom('webhook_endpoints').where('id', '=', existing.id).execute();
      });
      return true;
    },

    enqueue: (message, onlyEndpointId) => enqueueMessage(db, message, onlyEndpointId),

    async claimDue(now, leaseUntil, limit, exceptEndpoints = []) {
      if (!Number.isSafeInteger(limit) || limit <= 0) return [];
      const except = exceptEndpoints.map((id) => requireId(id, 'endpoint id'));
      const claimed = await db.transaction().execute(async (trx) => {
        let due = trx
          .selectFrom('webhook_deliveries')
          .select(['endpoint_id', 'message_id'])
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at')
          .limit(limit);
        if (except.length > 0) due = due.where('endpoint_id', 'not in', except);
        // SKIP LOCKED: rows another node is claiming are passed over, not waited for.
        if (backend === 'postgres') due = due.forUpdate().skipLocked();
        const keys = await due.execute();
        const rows: Selectable<WebhookDeliveriesTable>[] = [];
        for (const key of keys) {
          const row = await trx
            .updateTable('webhook_deliveries')
            .set({ next_attempt_at: leaseUntil })
            .where('endpoint_id', '=', key.endpoint_id)
            .where('message_id', '=', key.message_id)
            .returningAll()
            .executeTakeFirstOrThrow();
          rows.push(row);
        }
        return rows;
      });
      if (claimed.length === 0) return [];
      const unique = <T>(xs: T[]) => [...new Set(xs)];
      const endpoints = new Map(
        (await db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', unique(claimed.map((r) => r.endpoint_id))).execute()).map((r) => [r.id, r]),
      );
      const eventIds = unique(claimed.flatMap((r) => (r.event_id === null ? [] : [r.event_id])));
      const events = new Map(
        eventIds.length === 0 ? [] : (await db.selectFrom('email_events').selectAll().where('id', 'in', eventIds).execute()).map((r) => [r.id, r]),
      );
      const emailIds = unique([...events.values()].map((e) => e.email_id));
      // Without their bodies: the payload never carries them.
      const emails = new Map(
        emailIds.length === 0 ? [] : (await db.selectFrom('emails').selectAll().where('id', 'in', emailIds).execute()).map((r) => [r.id, toEmailSummary(r)]),
      );
      const out: ClaimedWebhook[] = [];
      for (const row of claimed) {
        const endpoint = endpoints.get(row.endpoint_id);
        if (endpoint === undefined) continue;
        const event = row.event_id === null ? undefined : events.get(row.event_id);
        const email = event === undefined ? undefined : emails.get(event.email_id);
        out.push({
          delivery: toDelivery(row),
          endpoint: toEndpoint(endpoint),
          event: event ? toEvent(event) : null,
          email: email ?? null,
        });
      }
      return out;
    },

    async recordAttempts(attempts) {
      if (attempts.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const attempt of attempts) {
          const endpointId = requireId(attempt.endpointId, 'endpoint id');
          const messageId = requireId(attempt.messageId, 'message id');
          const status: WebhookDeliveryStatus =
            attempt.outcome === 'delivered' ? 'delivered' : attempt.outcome === 'retry' ? 'pending' : 'failed';
          const next = attempt.outcome === 'retry' ? (attempt.retryAt ?? attempt.at) : null;
          const stillClaimed = sql<boolean>`next_attempt_at = ${attempt.claimedUntil}`;
          await trx
            .updateTable('webhook_deliveries')
            .set((eb) => ({
              status: sql<string>`case when ${stillClaimed} then ${status} else status end`,
              attempts: eb('attempts', '+', 1),
              next_attempt_at: sql<number | null>`case when ${stillClaimed} then ${next} else next_attempt_at end`,
              last_attempt_at: attempt.at,
              last_status_code: attempt.statusCode,
              last_error: attempt.error,
              last_duration_ms: attempt.durationMs,
              last_response: attempt.response,
            }))
            .where('endpoint_id', '=', endpointId)
            .where('message_id', '=', messageId)
            .execute();
          const delivered = attempt.outcome === 'delivered';
          await trx
            .updateTable('webhook_endpoints')
            .set((eb) => ({
              // A success ends the run of failures; the first failure starts one.
              failing_since: delivered ? null : eb.fn.coalesce('failing_since', sql.val(attempt.at)),
              ...(attempt.disableEndpoint ? { enabled: bool(false), disabled_reason: attempt.disableEndpoint, updated_at: attempt.at } : {}),
            }))
            .where('id', '=', endpointId)
            .execute();
        }
      });
    },

    async listDeliveries(projectId, endpointId, page) {
      const limit = pageLimit(page);
      const pid = normalizeId(projectId);
      const eid = normalizeId(endpointId);
      const after = pageCursor(page);
      if (limit === 0 || pid === undefined || eid === undefined || after === null) return [];
      let q = db.selectFrom('webhook_deliveries').selectAll().where('project_id', '=', pid).where('endpoint_id', '=', eid);
      if (after !== undefined) q = q.where('message_id', '<', after);
      return (await q.orderBy('message_id', 'desc').limit(limit).execute()).map(toDelivery);
    },

    async listDeliveryLog(projectId, filter) {
      const limit = pageLimit({ limit: filter.limit });
      const pid = normalizeId(projectId);
      if (limit === 0 || pid === undefined) return [];
      let q = db.selectFrom('webhook_deliveries').selectAll().where('project_id', '=', pid);
      if (filter.endpointId !== undefined) {
        // One endpoint: its primary key (endpoint_id, message_id) pages it.
        const eid = normalizeId(filter.endpointId);
        if (eid === undefined) return [];
        q = q.where('endpoint_id', '=', eid);
      }
      if (filter.after !== undefined) {
        const mid = normalizeId(filter.after.messageId);
        const eid = normalizeId(filter.after.endpointId);
        if (mid === undefined || eid === undefined) return [];
        // A message goes to several endpoints: across them the cursor is (message_id, endpoint_id),
        // the order of webhook_deliveries_project_idx; within one endpoint, message_id alone.
        q =
          filter.endpointId !== undefined
            ? q.where('message_id', '<', mid)
            : q.where((eb) => eb(eb.refTuple('message_id', 'endpoint_id'), '<', eb.tuple(mid, eid)));
      }
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      const rows = await q.orderBy('message_id', 'desc').orderBy('endpoint_id', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },

    async retryDelivery(projectId, endpointId, messageId, at) {
      const pid = normalizeId(projectId);
      const eid = normalizeId(endpointId);
      const mid = normalizeId(messageId);
      if (pid === undefined || eid === undefined || mid === undefined) return undefined;
      const row = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: at })
        .where('project_id', '=', pid)
        .where('endpoint_id', '=', eid)
        .where('message_id', '=', mid)
        .returningAll()
        .executeTakeFirst();
      return row && toDelivery(row);
    },

    async replay(projectId, endpointId, since, at, limit) {
      const endpoint = await endpointRow(db, projectId, endpointId);
      if (endpoint === undefined) return 0;
      return requeueEvents(db, endpoint.id, since, at, limit);
    },
  };
}
