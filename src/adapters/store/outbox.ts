import { sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import type { WebhookMessage } from '../../ports/store.js';
import { requireId } from './rows.js';
import type { Database } from './schema.js';

/**
 * The webhook outbox: a `webhook_deliveries` row is written in the same transaction as what it
 * reports, so an event that committed is always delivered and one that rolled back never is.
 * Every row is queued by this module, with one subscription rule.
 */

/**
 * The subscription rule, over an endpoint aliased `w`: its `events` (a JSON array of strings
 * written by JSON.stringify, so a type appears as `"email.opened"`) holds `type`. Portable: `||`
 * and LIKE mean the same on both backends.
 */
export function subscribes(type: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`w.events like '%"' || cast(${type} as text) || '"%'`;
}

/**
 * An endpoint that takes only people's hits skips the opens and clicks labelled a machine's, over
 * an event aliased `e` (other events have no label, or `human`).
 */
export const TAKES_EVENT = sql<boolean>`(not w.human_only or e.classification is null or e.classification = 'human')`;

/** The columns of an outbox row, in the order the statements below give them. */
export const DELIVERY_COLUMNS = sql.raw(
  'endpoint_id, message_id, project_id, event_type, event_id, payload, status, attempts, next_attempt_at, created_at',
);

/**
 * Queues one delivery per subscribed endpoint for each email event of `source`: a relation aliased
 * `e` with the columns id, project_id, type, created_at and classification of `email_events` (the table itself, or
 * a CTE of rows just inserted), narrowed by `where`. The message id is the event id, so a retry or
 * a replay is sent under the same webhook-id.
 */
export function eventDeliveries(source: RawBuilder<unknown>, where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into webhook_deliveries (${DELIVERY_COLUMNS})
    select w.id, e.id, e.project_id, 'email.' || e.type, e.id, null, 'pending', 0, e.created_at, e.created_at
    from ${source}
    join webhook_endpoints w on w.project_id = e.project_id and w.enabled and ${subscribes(sql`'email.' || e.type`)} and ${TAKES_EVENT}
    where ${where}`;
}

/** Queues the deliveries of email events already written in this transaction, by their ids. */
export async function enqueueEventDeliveries(trx: Kysely<Database>, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await eventDeliveries(sql`email_events e`, sql`e.id in (${sql.join(eventIds)})`).execute(trx);
}

/**
 * Queues a message with its own payload (domain.updated, event.test) for every subscribed endpoint
 * of its project, or for one enabled endpoint whatever it subscribes to. Takes the transaction of
 * the change it reports. Returns how many deliveries were queued.
 */
export async function enqueueMessage(db: Kysely<Database>, message: WebhookMessage, onlyEndpointId?: string): Promise<number> {
  const projectId = requireId(message.projectId, 'project id');
  const messageId = requireId(message.messageId, 'message id');
  const endpoints =
    onlyEndpointId === undefined
      ? sql`w.enabled and ${subscribes(sql.val(message.eventType))}`
      : sql`w.enabled and w.id = ${requireId(onlyEndpointId, 'endpoint id')}`;
  const result = await sql`
    insert into webhook_deliveries (${DELIVERY_COLUMNS})
    select w.id, ${messageId}, w.project_id, ${message.eventType}, null, ${message.payload}, 'pending', 0, ${message.createdAt}, ${message.createdAt}
    from webhook_endpoints w
    where w.project_id = ${projectId} and ${endpoints}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Queues again, for one endpoint, the email events of its project since `since` that it
 * subscribes to, oldest first, at most `limit`. A message already delivered (or failed) is sent
 * again under the same webhook-id. Returns how many were queued.
 */
export async function requeueEvents(db: Kysely<Database>, endpointId: string, since: number, at: number, limit: number): Promise<number> {
  const result = await sql`
    insert into webhook_deliveries (${DELIVERY_COLUMNS})
    select w.id, e.id, e.project_id, 'email.' || e.type, e.id, null, 'pending', 0, ${at}, ${at}
    from email_events e
    join webhook_endpoints w on w.project_id = e.project_id and ${subscribes(sql`'email.' || e.type`)} and ${TAKES_EVENT}
    where w.id = ${requireId(endpointId, 'endpoint id')} and e.created_at >= ${since}
    order by e.id
    limit ${limit}
    on conflict (endpoint_id, message_id) do update set status = 'pending', next_attempt_at = excluded.next_attempt_at`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
