import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Domain, TrackingHost } from '../../core/model.js';
import { type DomainRepository, type DomainSaveOptions, TrackingHostTaken } from '../../ports/store.js';
import { normalizeId, pageCursor, pageLimit, requireId, toDomain, toHost } from './rows.js';
import { enqueueMessage } from './outbox.js';
import type { Backend, Database, DbBool, DomainsTable } from './schema.js';


export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

type Executor = Kysely<Database> | Transaction<Database>;

/** Attaches each domain's hosts (one query for the lot), keeping the rows' order. */
async function withHosts(db: Executor, rows: Selectable<DomainsTable>[]): Promise<Domain[]> {
  if (rows.length === 0) return [];
  const hostRows = await db
    .selectFrom('tracking_hosts')
    .selectAll()
    .where('domain_id', 'in', rows.map((r) => r.id))
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .execute();
  const byDomain = new Map<string, TrackingHost[]>();
  for (const h of hostRows) {
    const list = byDomain.get(h.domain_id) ?? [];
    list.push(toHost(h));
    byDomain.set(h.domain_id, list);
  }
  return rows.map((r) => toDomain(r, byDomain.get(r.id) ?? []));
}

export function domainRepository(db: Kysely<Database>, backend: Backend, bool: (value: boolean) => DbBool): DomainRepository {
  async function one(row: Selectable<DomainsTable> | undefined, executor: Executor = db): Promise<Domain | undefined> {
    return row === undefined ? undefined : (await withHosts(executor, [row]))[0];
  }

  return {
    async create(d) {
      const values = {
        id: requireId(d.id, 'domain id'),
        project_id: requireId(d.projectId, 'project id'),
        name: d.name,
        return_path: d.returnPath,
        open_tracking: bool(d.openTracking),
        click_tracking: bool(d.clickTracking),
        trap_link: bool(d.trapLink),
        aggregate_only: bool(d.aggregateOnly),
        tls: d.tls,
        dkim_selector: d.dkimSelector,
        dkim_public_key: d.dkimPublicKey,
        dkim_private_key: d.dkimPrivateKeySealed,
        tracking_subdomain: null,
        tracking_subdomain_set_at: null,
        active_host_id: null,
        status: d.status,
        records: JSON.stringify(d.records),
        verification_started_at: d.verificationStartedAt,
        last_checked_at: d.lastCheckedAt,
        next_check_at: d.nextCheckAt,
        version: 0,
        created_at: d.createdAt,
        updated_at: d.createdAt,
      };
      try {
        const row = await db.insertInto('domains').values(values).returningAll().executeTakeFirstOrThrow();
        return { outcome: 'created', domain: toDomain(row, []) };
      } catch (err) {
        if (isUniqueViolation(err)) return { outcome: 'conflict' };
        throw err;
      }
    },

    async get(projectId, id) {
      const pid = normalizeId(projectId);
      const did = normalizeId(id);
      if (pid === undefined || did === undefined) return undefined;
      return one(await db.selectFrom('domains').selectAll().where('id', '=', did).where('project_id', '=', pid).executeTakeFirst());
    },

    async findByName(projectId, name) {
      const pid = normalizeId(projectId);
      if (pid === undefined) return undefined;
      return one(await db.selectFrom('domains').selectAll().where('name', '=', name).where('project_id', '=', pid).executeTakeFirst());
    },

    async list(projectId, page) {
      const limit = pageLimit(page);
      const pid = normalizeId(projectId);
      const after = pageCursor(page);
      if (limit === 0 || pid === undefined || after === null) return [];
      let q = db.selectFrom('domains').selectAll().where('project_id', '=', pid);
      if (after !== undefined) q = q.where('id', '<', after);
      return withHosts(db, await q.orderBy('id', 'desc').limit(limit).execute());
    },

    async save(domain, options: DomainSaveOptions = {}) {
      const id = requireId(domain.id, 'domain id');
      const pid = requireId(domain.projectId, 'project id');
      try {
        return await db.transaction().execute(async (trx) => {
          const updated = await trx
            .updateTable('domains')
            .set({
              open_tracking: bool(domain.openTracking),
              click_tracking: bool(domain.clickTracking),
              trap_link: bool(domain.trapLink),
              aggregate_only: bool(domain.aggregateOnly),
              tls: domain.tls,
              tracking_subdomain: domain.trackingSubdomain,
              tracking_subdomain_set_at: domain.trackingSubdomainSetAt,
              active_host_id: domain.activeHostId,
              status: domain.status,
              records: JSON.stringify(domain.records),
              verification_started_at: domain.verificationStartedAt,
              last_checked_at: domain.lastCheckedAt,
              next_check_at: domain.nextCheckAt,
              version: domain.version + 1,
              updated_at: domain.updatedAt,
            })
            .where('id', '=', id)
            .where('project_id', '=', pid)
            .where('version', '=', domain.version)
            .returningAll()
            .executeTakeFirst();
          // Lost the race (or the domain is gone): nothing of this save is written.
          if (updated === undefined) throw new StaleDomain();
          // After the version check, so that a lost race is a retry, never a false "host taken".
          if (options.newHost !== undefined) {
            const host = options.newHost;
            try {
              await trx
                .insertInto('tracking_hosts')
                .values({
                  domain_id: id,
                  project_id: pid,
                  hostname: host.hostname,
                  status: host.status,
                  created_at: host.createdAt,
                  verified_at: null,
                  deleted_at: null,
                })
                .execute();
            } catch (err) {
              if (isUniqueViolation(err)) throw new TrackingHostTaken(`${host.hostname} is already another domain's tracking host`);
              throw err;
            }
          }
          for (const h of options.hostUpdates ?? []) {
            await trx
              .updateTable('tracking_hosts')
              .set({ status: h.status, verified_at: h.verifiedAt })
              .where('id', '=', h.id)
              .where('domain_id', '=', id)
              .execute();
          }
          if (options.message !== undefined) await enqueueMessage(trx, options.message);
          return one(updated, trx);
        });
      } catch (err) {
        if (err instanceof StaleDomain) return undefined;
        throw err;
      }
    },

    async delete(projectId, id, at) {
      const pid = normalizeId(projectId);
      const did = normalizeId(id);
      if (pid === undefined || did === undefined) return false;
      return db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('domains').where('id', '=', did).where('project_id', '=', pid).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
        await trx.updateTable('tracking_hosts').set({ deleted_at: at }).where('domain_id', '=', did).where('deleted_at', 'is', null).execute();
        return true;
      });
    },

    async claimDue(now, leaseUntil, limit) {
      if (!Number.isSafeInteger(limit) || limit <= 0) return [];
      if (backend === 'postgres') {
        // SKIP LOCKED: a domain another node is claiming is skipped, not waited for.
        const { rows } = await sql<Selectable<DomainsTable> & { claim_due_at: number }>`
          with due as materialized (
            select id, next_check_at as due_at from domains
            where next_check_at <= ${now}
            order by next_check_at, id
            limit ${limit}
            for no key update skip locked
          ), claimed as (
            update domains as d set next_check_at = ${leaseUntil}
            from due where d.id = due.id
            returning d.*, due.due_at as claim_due_at
          )
          select * from claimed order by claim_due_at, id`.execute(db);
        return withHosts(db, rows.map(({ claim_due_at: _, ...row }) => row));
      }
      // SQLite: one writer at a time, so select-then-update in one transaction is a claim.
      return db.transaction().execute(async (trx) => {
        const due = await trx
          .selectFrom('domains')
          .select('id')
          .where('next_check_at', '<=', now)
          .orderBy('next_check_at')
          .orderBy('id')
          .limit(limit)
          .execute();
        if (due.length === 0) return [];
        const rows = await trx
          .updateTable('domains')
          .set({ next_check_at: leaseUntil })
          .where('id', 'in', due.map((d) => d.id))
          .returningAll()
          .execute();
        // Oldest due first, as selected (RETURNING gives no order).
        const order = new Map(due.map((d, i) => [d.id, i]));
        return withHosts(trx, rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!));
      });
    },

    async countEmailsOnHosts(hostIds, since) {
      const ids = hostIds.filter((h) => Number.isSafeInteger(h) && h > 0);
      if (ids.length === 0) return 0;
      const row = await db
        .selectFrom('emails')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('tracking_host_id', 'in', ids)
        .where('created_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async allHosts() {
      return (await db.selectFrom('tracking_hosts').selectAll().orderBy('id').execute()).map(toHost);
    },
  };
}

class StaleDomain extends Error {}
