import { sql } from 'kysely';
import type { Insertable, Kysely } from 'kysely';
import { NO_DOMAIN, bucketOf, cohortTags } from '../../core/analytics/rollups.js';
import { newId } from '../../lib/ids.js';
import type { CreateEmailResult, DeliveryOutcome, EmailRepository, IdempotencyClaim, NewEmail } from '../../ports/store.js';
import { withBodies } from './email-bodies.js';
import type { StoreDialect } from './store-dialect.js';
import { enqueueEventDeliveries } from './outbox.js';
import { recordSentRollup } from './rollup-upserts.js';
import { normalizeId, pageCursor, pageLimit, requireId, toEmail } from './rows.js';
import type { Database, EmailsTable } from './schema.js';

/** Thrown inside the create transaction to roll it back when another request holds the key. */
class IdempotencyKeyTaken extends Error {}

export function emailRepository(db: Kysely<Database>, dialect: Pick<StoreDialect, 'bool' | 'claimDue'>): EmailRepository {
  async function readClaim(
    projectId: string,
    claim: IdempotencyClaim,
    q: Kysely<Database> = db,
  ): Promise<CreateEmailResult | undefined> {
    const row = await q
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'email_id'])
      .where('project_id', '=', projectId)
      .where('key', '=', claim.key)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return row.request_hash === claim.requestHash
      ? { outcome: 'replayed', emailId: row.email_id }
      : { outcome: 'conflict' };
  }

  return {
    async create(email: NewEmail, idempotency?: IdempotencyClaim): Promise<CreateEmailResult> {
      const id = requireId(email.id, 'email id');
      const projectId = requireId(email.projectId, 'project id');
      const captured = email.status === 'captured';
      // A captured email was "sent" to the capture box when it was created.
      const sentEventAt = email.sentAt ?? email.createdAt;
      const values: Insertable<EmailsTable> = {
        id,
        project_id: projectId,
        from_address: email.from,
        to_addresses: JSON.stringify(email.to),
        cc_addresses: JSON.stringify(email.cc),
        bcc_addresses: JSON.stringify(email.bcc),
        reply_to: JSON.stringify(email.replyTo),
        subject: email.subject,
        headers: JSON.stringify(email.headers),
        tags: JSON.stringify(email.tags),
        track_opens: dialect.bool(email.trackOpens),
        track_clicks: email.trackClicks === false ? 'off' : email.trackClicks,
        links: JSON.stringify(email.links),
        status: email.status,
        status_detail: email.statusDetail,
        message_id: email.messageId,
        next_attempt_at: email.nextAttemptAt,
        created_at: email.createdAt,
        sent_at: email.sentAt,
        opened_at: null,
        clicked_at: null,
        last_event: captured ? 'sent' : null,
        last_event_at: captured ? sentEventAt : null,
        domain_id: email.domainId == null ? null : requireId(email.domainId, 'domain id'),
        tracking_host_id: email.trackingHostId ?? 0,
        aggregate_only: dialect.bool(email.aggregateOnly ?? false),
      };

      try {
        return await db.transaction().execute(async (trx): Promise<CreateEmailResult> => {
          if (idempotency !== undefined) {
            const existing = await readClaim(projectId, idempotency, trx);
            if (existing !== undefined) return existing;
          }
          const row = await trx.insertInto('emails').values(values).returningAll().executeTakeFirstOrThrow();
          const body = { email_id: id, html_body: email.html, text_body: email.text };
          await trx.insertInto('email_bodies').values(body).execute();
          if (captured) {
            const sentEventId = newId();
            await trx
              .insertInto('email_events')
              .values({
                id: sentEventId,
                project_id: projectId,
                email_id: id,
                type: 'sent',
                created_at: sentEventAt,
                ip: null,
                user_agent: null,
                referer: null,
                link_index: null,
                url: null,
                detail: 'captured',
              })
              .execute();
            await enqueueEventDeliveries(trx, [sentEventId]);
            await recordSentRollup(trx, id);
          }
          if (idempotency !== undefined) {
            // A concurrent request with the same key that committed first makes this a no-op
            // (on PostgreSQL it waits for that transaction); then roll back and read its claim.
            const claimed = await trx
              .insertInto('idempotency_keys')
              .values({
                project_id: projectId,
                key: idempotency.key,
                request_hash: idempotency.requestHash,
                email_id: id,
                created_at: email.createdAt,
              })
              .onConflict((oc) => oc.columns(['project_id', 'key']).doNothing())
              .returning('key')
              .executeTakeFirst();
            if (claimed === undefined) throw new IdempotencyKeyTaken();
          }
          return { outcome: 'created', email: toEmail(row, body) };
        });
      } catch (error) {
        if (!(error instanceof IdempotencyKeyTaken) || idempotency === undefined) throw error;
        const existing = await readClaim(projectId, idempotency);
        if (existing === undefined) throw new Error('Idempotency key conflict, but the claim is gone');
        return existing;
      }
    },

    async aggregateCohort(cohort) {
      const projectId = requireId(cohort.projectId, 'project id');
      const domainId = cohort.domainId === null ? NO_DOMAIN : requireId(cohort.domainId, 'domain id');
      const tags = JSON.stringify(cohortTags(cohort.tags));
      const bucket = bucketOf(cohort.createdAt);
      const find = () =>
        db
          .selectFrom('aggregate_cohorts')
          .select('id')
          .where('project_id', '=', projectId)
          .where('domain_id', '=', domainId)
          .where('tags', '=', tags)
          .where('bucket', '=', bucket)
          .executeTakeFirst();
      const found = await find();
      if (found !== undefined) return found.id;
      await db
        .insertInto('aggregate_cohorts')
        .values({ id: newId(), project_id: projectId, domain_id: domainId, tags, bucket, created_at: cohort.createdAt })
        .onConflict((oc) => oc.columns(['project_id', 'domain_id', 'tags', 'bucket']).doNothing())
        .execute();
      // Whichever of two concurrent inserts won, this is the cohort's one row.
      return (await find())!.id;
    },

    async get(projectId, id) {
      const pid = normalizeId(projectId);
      const eid = normalizeId(id);
      if (pid === undefined || eid === undefined) return undefined;
      const row = await db
        .selectFrom('emails')
        .selectAll()
        .where('id', '=', eid)
        .where('project_id', '=', pid)
        .executeTakeFirst();
      return row && (await withBodies(db, [row]))[0];
    },

    async list(projectId, filter) {
      const limit = pageLimit(filter);
      const pid = normalizeId(projectId);
      const after = pageCursor(filter);
      if (limit === 0 || pid === undefined || after === null) return [];
      let q = db.selectFrom('emails').selectAll().where('project_id', '=', pid);
      if (after !== undefined) q = q.where('id', '<', after);
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return withBodies(db, rows);
    },

    async claimDue(now, leaseUntil, limit) {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new RangeError(`Invalid claim limit ${String(limit)}: expected a non-negative integer`);
      }
      if (limit === 0) return [];
      return withBodies(db, await dialect.claimDue(now, leaseUntil, limit));
    },

    async recordDelivery(outcome: DeliveryOutcome) {
      const id = normalizeId(outcome.emailId);
      if (id === undefined) return;
      const detail = outcome.detail ?? null;
      await db.transaction().execute(async (trx) => {
        if (outcome.retryAt !== undefined && outcome.retryAt !== null) {
          await trx
            .updateTable('emails')
            .set({ next_attempt_at: outcome.retryAt, status_detail: detail })
            .where('id', '=', id)
            .where('status', '=', 'queued')
            .execute();
          return;
        }
        const { at, status } = outcome;
        const isLater = sql<boolean>`(last_event_at is null or last_event_at < ${at})`;
        // Only a queued email is finalised, once: a late or repeated report changes nothing.
        const updated = await trx
          .updateTable('emails')
          .set((eb) => ({
            status,
            status_detail: detail,
            next_attempt_at: null,
            sent_at: status === 'sent' ? at : eb.ref('sent_at'),
            message_id: status === 'sent' ? (outcome.messageId ?? null) : eb.ref('message_id'),
            last_event: sql<string | null>`case when ${isLater} then ${status} else last_event end`,
            last_event_at: sql<number | null>`case when ${isLater} then ${at} else last_event_at end`,
          }))
          .where('id', '=', id)
          .where('status', '=', 'queued')
          .returning(['project_id'])
          .executeTakeFirst();
        if (updated === undefined) return;
        const eventId = newId();
        await trx
          .insertInto('email_events')
          .values({
            id: eventId,
            project_id: updated.project_id,
            email_id: id,
            type: status,
            created_at: at,
            ip: null,
            user_agent: null,
            referer: null,
            link_index: null,
            url: null,
            detail: status === 'sent' ? 'sent' : detail,
          })
          .execute();
        if (status === 'sent') {
          await enqueueEventDeliveries(trx, [eventId]);
          await recordSentRollup(trx, id);
        }
      });
    },
  };
}
