import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { withBodies } from './email-bodies.js';
import { normalizeId, pageCursor, pageLimit, requireId, toApiKey, toEmail, toEvent, toProject } from './rows.js';
import { domainRepository } from './domain-repository.js';
import { enqueueEventDeliveries, webhookRepository } from './webhook-repository.js';
import type {
  ApiKeyRepository,
  CreateEmailResult,
  DeliveryOutcome,
  EmailRepository,
  EventFilter,
  EventRepository,
  IdempotencyClaim,
  NewApiKey,
  NewEmail,
  NewProject,
  ProjectRepository,
  Store,
  TrackingHit,
} from '../../ports/store.js';
import { newId } from '../../lib/ids.js';
import { analyticsRepository, recordSentRollup } from './analytics-repository.js';
import { exportRepository } from './export-repository.js';
import type {
  Backend,
  Database,
  DbBool,
  EmailsTable,
} from './schema.js';

/**
 * The part of the store that differs per backend. Everything else (the repositories) is shared
 * Kysely code in this file.
 */
export interface StoreDialect {
  readonly backend: Backend;
  /** How a boolean is written: `true`/`false` on PostgreSQL, 1/0 on SQLite. */
  bool(value: boolean): DbBool;
  /**
   * The group commit: inserts the events of `hits` (only for emails that exist, taking the
   * project from the email) and applies `totals` to the emails, in ONE transaction, resolving
   * after COMMIT. Future writes that must be atomic with the events (webhook outbox, rollups) go
   * here. `hits` are validated (canonical lowercase UUIDs, type opened/clicked).
   */
  writeHits(hits: readonly TrackingHit[], totals: readonly HitTotals[]): Promise<void>;
  /** Claims due queued emails (see EmailRepository.claimDue), returned oldest due first. */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<Selectable<EmailsTable>[]>;
  migrate(): Promise<void>;
  /** Releases the connection(s). Called once. */
  destroy(): Promise<void>;
}

/** What a batch of hits does to one email. */
export interface HitTotals {
  emailId: string;
  opens: number;
  clicks: number;
  /** Earliest open in the batch, or null. */
  firstOpenAt: number | null;
  /** Earliest click in the batch, or null. */
  firstClickAt: number | null;
  /** Latest hit of the batch (on equal times, the later one in the batch). */
  lastType: 'opened' | 'clicked';
  lastAt: number;
}

export function createKyselyStore(db: Kysely<Database>, dialect: StoreDialect): Store {
  let closed = false;
  return {
    backend: dialect.backend,
    projects: projectRepository(db, dialect),
    apiKeys: apiKeyRepository(db),
    emails: emailRepository(db, dialect),
    events: eventRepository(db, dialect),
    webhooks: webhookRepository(db, dialect.backend, dialect.bool),
    domains: domainRepository(db, dialect.backend, dialect.bool),
    analytics: analyticsRepository(db),
    exports: exportRepository(db),
    migrate: () => dialect.migrate(),
    async close() {
      if (closed) return;
      closed = true;
      await dialect.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Projects and API keys

function projectRepository(db: Kysely<Database>, dialect: StoreDialect): ProjectRepository {
  return {
    async create(project: NewProject) {
      const row = await db
        .insertInto('projects')
        .values({
          id: requireId(project.id, 'project id'),
          name: project.name,
          is_default: dialect.bool(project.isDefault),
          created_at: project.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProject(row);
    },
    async get(id) {
      const pid = normalizeId(id);
      if (pid === undefined) return undefined;
      const row = await db.selectFrom('projects').selectAll().where('id', '=', pid).executeTakeFirst();
      return row && toProject(row);
    },
    async getDefault() {
      const row = await db
        .selectFrom('projects')
        .selectAll()
        .where('is_default', '=', dialect.bool(true))
        .executeTakeFirst();
      return row && toProject(row);
    },
    async list() {
      const rows = await db.selectFrom('projects').selectAll().orderBy('id', 'desc').execute();
      return rows.map(toProject);
    },
  };
}

function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async create(key: NewApiKey) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: requireId(key.id, 'API key id'),
          project_id: requireId(key.projectId, 'project id'),
          name: key.name,
          role: key.role,
          prefix: key.prefix,
          hash: key.hash,
          created_at: key.createdAt,
          last_used_at: null,
          expires_at: key.expiresAt ?? null,
          domain_id: key.domainId === undefined || key.domainId === null ? null : requireId(key.domainId, 'domain id'),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApiKey(row);
    },
    async findByHash(hash) {
      const row = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && toApiKey(row);
    },
    async findById(id) {
      const kid = normalizeId(id);
      if (kid === undefined) return undefined;
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', kid).executeTakeFirst();
      return row && toApiKey(row);
    },
    async touch(id, at) {
      const kid = normalizeId(id);
      if (kid === undefined) return;
      // Never moves backwards when several nodes touch the same key.
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', kid)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
    async count() {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async list(projectId) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return [];
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('project_id', '=', pid)
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toApiKey);
    },
    async get(projectId, id) {
      const pid = normalizeId(projectId);
      const kid = normalizeId(id);
      if (pid === undefined || kid === undefined) return undefined;
      const row = await db.selectFrom('api_keys').selectAll().where('project_id', '=', pid).where('id', '=', kid).executeTakeFirst();
      return row && toApiKey(row);
    },
    async delete(projectId, id) {
      const pid = normalizeId(projectId);
      const kid = normalizeId(id);
      if (pid === undefined || kid === undefined) return false;
      const result = await db.deleteFrom('api_keys').where('project_id', '=', pid).where('id', '=', kid).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Emails

/** Thrown inside the create transaction to roll it back when another request holds the key. */
class IdempotencyKeyTaken extends Error {}

function emailRepository(db: Kysely<Database>, dialect: StoreDialect): EmailRepository {
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
            await enqueueEventDeliveries(trx, dialect.bool, { projectId, eventId: sentEventId, type: 'email.sent', at: sentEventAt });
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
          await enqueueEventDeliveries(trx, dialect.bool, { projectId: updated.project_id, eventId, type: 'email.sent', at });
          await recordSentRollup(trx, id);
        }
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events

/** Per-email effect of a batch, computed once here so both backends apply the same rules. */
function totalsOf(hits: readonly TrackingHit[]): HitTotals[] {
  const byEmail = new Map<string, HitTotals>();
  for (const hit of hits) {
    let t = byEmail.get(hit.emailId);
    if (t === undefined) {
      t = {
        emailId: hit.emailId,
        opens: 0,
        clicks: 0,
        firstOpenAt: null,
        firstClickAt: null,
        lastType: hit.type,
        lastAt: hit.createdAt,
      };
      byEmail.set(hit.emailId, t);
    }
    if (hit.type === 'opened') {
      t.opens += 1;
      if (t.firstOpenAt === null || hit.createdAt < t.firstOpenAt) t.firstOpenAt = hit.createdAt;
    } else {
      t.clicks += 1;
      if (t.firstClickAt === null || hit.createdAt < t.firstClickAt) t.firstClickAt = hit.createdAt;
    }
    if (hit.createdAt >= t.lastAt) {
      t.lastAt = hit.createdAt;
      t.lastType = hit.type;
    }
  }
  return [...byEmail.values()];
}

function eventRepository(db: Kysely<Database>, dialect: StoreDialect): EventRepository {
  return {
    async appendHits(hits) {
      const valid: TrackingHit[] = [];
      for (const hit of hits) {
        const id = requireId(hit.id, 'hit id');
        if (hit.type !== 'opened' && hit.type !== 'clicked') {
          throw new TypeError(`Invalid hit type ${JSON.stringify(hit.type)}`);
        }
        if (!Number.isSafeInteger(hit.createdAt)) {
          throw new TypeError(`Invalid hit time ${String(hit.createdAt)}`);
        }
        // A malformed email id cannot name an email: dropped like an unknown one.
        const emailId = normalizeId(hit.emailId);
        if (emailId === undefined) continue;
        valid.push(id === hit.id && emailId === hit.emailId ? hit : { ...hit, id, emailId });
      }
      if (valid.length === 0) return;
      await dialect.writeHits(valid, totalsOf(valid));
    },

    async list(projectId, filter: EventFilter) {
      const limit = pageLimit(filter);
      const pid = normalizeId(projectId);
      const after = pageCursor(filter);
      if (limit === 0 || pid === undefined || after === null) return [];
      let q = db.selectFrom('email_events').selectAll().where('project_id', '=', pid);
      if (filter.emailId !== undefined) {
        const eid = normalizeId(filter.emailId);
        if (eid === undefined) return [];
        q = q.where('email_id', '=', eid);
      }
      if (filter.type !== undefined) q = q.where('type', '=', filter.type);
      if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
      if (filter.until !== undefined) q = q.where('created_at', '<', filter.until);
      if (after !== undefined) q = q.where('id', '<', after);
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toEvent);
    },

    async purgeBefore(before, limit) {
      if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`Invalid purge batch ${String(limit)}: expected a positive integer`);
      if (!Number.isSafeInteger(before)) throw new TypeError(`Invalid purge time ${String(before)}`);
      // The oldest events first (email_events_created_idx), skipping any that a pending delivery
      // will be built from: an email event's delivery has message_id = event_id, so the check is
      // one lookup in webhook_deliveries_project_idx per candidate.
      let victims = db
        .selectFrom('email_events as e')
        .select('e.id')
        .where('e.created_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('webhook_deliveries as d')
                .select(sql.lit(1).as('one'))
                .whereRef('d.project_id', '=', 'e.project_id')
                .whereRef('d.message_id', '=', 'e.id')
                .whereRef('d.event_id', '=', 'e.id')
                .where('d.status', '=', 'pending'),
            ),
          ),
        )
        .orderBy('e.created_at')
        .limit(limit);
      // Several nodes may purge at once: each takes rows no other is deleting.
      if (dialect.backend === 'postgres') victims = victims.forUpdate().skipLocked();
      // One statement, so one short transaction: on SQLite the write lock is held for one batch only.
      const result = await db.deleteFrom('email_events').where('id', 'in', victims).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
