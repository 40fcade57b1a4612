import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Email } from '../../core/model.js';
import type { Store } from '../../ports/store.js';
import { newId } from '../../lib/ids.js';
import { migrationNames } from './migrations/index.js';
import { openStore } from './open-store.js';
import { defineAnalyticsContract } from './contracts/analytics.contract.js';
import { defineDomainContract } from './contracts/domain.contract.js';
import { defineRetentionContract } from './contracts/retention.contract.js';
import { defineStoreContract, FAIL_ON_UPDATE_SUBJECT, hit, newEmail } from './contracts/store.contract.js';
import { defineWebhookContract } from './contracts/webhook.contract.js';

/**
 * Runs on the PostgreSQL server named by WAYMARK_TEST_DATABASE_URL (a role allowed to create
 * databases, e.g. postgres://postgres@127.0.0.1:5432/postgres). Every test gets its own database,
 * waymark_test_<random>, dropped when the file is done.
 */
const adminUrl = process.env.WAYMARK_TEST_DATABASE_URL;
const inCi = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());

if (adminUrl === undefined || adminUrl === '') {
  if (inCi) {
    describe('PostgreSQL store', () => {
      it('needs WAYMARK_TEST_DATABASE_URL', () => {
        throw new Error(
          'WAYMARK_TEST_DATABASE_URL is not set, so the PostgreSQL store tests cannot run, and CI is set, so they ' +
            'fail instead of being skipped. Point it at a server where the role may create databases, e.g. ' +
            'WAYMARK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres',
        );
      });
    });
  } else {
    describe.skip('PostgreSQL store (set WAYMARK_TEST_DATABASE_URL to run)', () => {
      it('is skipped', () => {});
    });
  }
} else {
  definePostgresSuites(adminUrl);
}

const T0 = 1_760_000_000_000;
/** Kysely's PostgresAdapter migration lock id (kysely/dist/esm/dialect/postgres/postgres-adapter.js). */
const KYSELY_MIGRATION_LOCK_ID = '3853314791062309107';

function definePostgresSuites(adminUrl: string): void {
  const databases: string[] = [];
  const urls = new WeakMap<Store, string>();
  let adminClient: pg.Client | undefined;

  async function admin(): Promise<pg.Client> {
    if (adminClient === undefined) {
      adminClient = new pg.Client({ connectionString: adminUrl });
      await adminClient.connect();
    }
    return adminClient;
  }

  async function freshDatabaseUrl(): Promise<string> {
    const name = `waymark_test_${randomBytes(6).toString('hex')}`;
    await (await admin()).query(`create database ${name}`);
    databases.push(name);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async function openOn(url: string): Promise<Store> {
    const store = await openStore(url);
    urls.set(store, url);
    return store;
  }

  async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    if (adminClient === undefined) return;
    try {
      for (const name of databases) await adminClient.query(`drop database if exists ${name} with (force)`);
    } finally {
      await adminClient.end();
    }
  });

  defineWebhookContract('PostgreSQL', async () => openOn(await freshDatabaseUrl()));
  defineDomainContract('PostgreSQL', async () => openOn(await freshDatabaseUrl()));
  defineRetentionContract('PostgreSQL', async () => openOn(await freshDatabaseUrl()));
  defineAnalyticsContract('PostgreSQL', async () => openOn(await freshDatabaseUrl()));

  defineStoreContract('PostgreSQL', async () => openOn(await freshDatabaseUrl()), {
    async failEmailUpdates(store) {
      const url = urls.get(store);
      if (url === undefined) throw new Error('unknown store');
      await withClient(url, (c) =>
        c.query(`
          create function fail_email_update() returns trigger language plpgsql as $$
          begin raise exception 'injected failure'; end $$;
          create trigger fail_email_update before update on emails for each row
          when (new.subject = '${FAIL_ON_UPDATE_SUBJECT}') execute function fail_email_update();`),
      );
    },
  });

  describe('PostgreSQL store', () => {
    /** Waits (polling, no sleeps) until `count` sessions of `database` wait on a lock. */
    async function waitForLockWaiters(client: pg.Client, database: string, count: number, event?: string) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = $1 and wait_event_type = 'Lock' and ($2::text is null or wait_event = $2)`,
          [database, event ?? null],
        );
        if ((rows[0]?.n ?? 0) >= count) return;
        if (Date.now() > deadline) throw new Error(`no session of ${database} ended up waiting on a lock`);
      }
    }

    function dbName(url: string): string {
      return new URL(url).pathname.slice(1);
    }

    async function seedProject(store: Store): Promise<string> {
      const pid = newId();
      await store.projects.create({ id: pid, name: 'p', isDefault: false, createdAt: T0 });
      return pid;
    }

    async function seedEmails(store: Store, projectId: string, count: number): Promise<Email[]> {
      const out: Email[] = [];
      for (let i = 0; i < count; i++) {
        const r = await store.emails.create(newEmail(projectId, { nextAttemptAt: T0 }));
        if (r.outcome !== 'created') throw new Error('seed failed');
        out.push(r.email);
      }
      return out;
    }

    it('serialises concurrent migrations with an advisory lock', async () => {
      const url = await freshDatabaseUrl();
      const stores = await Promise.all(Array.from({ length: 4 }, () => openOn(url)));
      try {
        await withClient(url, async (holder) => {
          // Hold Kysely's migration lock: every migrate() must wait for it.
          await holder.query(`select pg_advisory_lock(${KYSELY_MIGRATION_LOCK_ID})`);
          const running = stores.map((s) => s.migrate());
          await withClient(url, async (observer) => {
            await waitForLockWaiters(observer, dbName(url), stores.length, 'advisory');
            const { rows } = await observer.query(`select to_regclass('public.emails') as t`);
            expect(rows[0].t).toBeNull();
          });
          await holder.query(`select pg_advisory_unlock(${KYSELY_MIGRATION_LOCK_ID})`);
          await Promise.all(running);
        });
        await withClient(url, async (c) => {
          const { rows } = await c.query(`select name from kysely_migration`);
          expect(rows.map((r) => r.name)).toEqual(await migrationNames());
        });
        // And with nobody holding the lock, all at once.
        await Promise.all(stores.map((s) => s.migrate()));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('never gives the same email to two concurrent claimDue calls', async () => {
      const url = await freshDatabaseUrl();
      const a = await openOn(url);
      const b = await openOn(url);
      try {
        await a.migrate();
        const pid = await seedProject(a);
        const emails = await seedEmails(a, pid, 150);
        const claims = new Map<string, number>();
        for (let round = 0; round < 100; round++) {
          const batches = await Promise.all([a, b, a, b].map((s) => s.emails.claimDue(T0, T0 + 60_000, 7)));
          if (batches.every((batch) => batch.length === 0)) break;
          for (const e of batches.flat()) claims.set(e.id, (claims.get(e.id) ?? 0) + 1);
        }
        expect(claims.size).toBe(emails.length);
        expect([...claims.values()].every((n) => n === 1)).toBe(true);
        const after = await a.emails.list(pid, { limit: 1000 });
        expect(after.every((e) => e.deliveryAttempts === 1 && e.nextAttemptAt === T0 + 60_000)).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('skips emails another node holds instead of waiting for them', async () => {
      const url = await freshDatabaseUrl();
      const store = await openOn(url);
      try {
        await store.migrate();
        const pid = await seedProject(store);
        const [locked, free] = await seedEmails(store, pid, 2);
        await withClient(url, async (other) => {
          await other.query('begin');
          await other.query('select id from emails where id = $1 for update', [locked!.id]);
          // Without SKIP LOCKED this would block until the test times out.
          const claimed = await store.emails.claimDue(T0, T0 + 1_000, 10);
          expect(claimed.map((e) => e.id)).toEqual([free!.id]);
          await other.query('rollback');
        });
        expect((await store.emails.claimDue(T0, T0 + 1_000, 10)).map((e) => e.id)).toEqual([locked!.id]);
      } finally {
        await store.close();
      }
    }, 15_000);

    it('replays when a concurrent request commits the same idempotency key first', async () => {
      const url = await freshDatabaseUrl();
      const store = await openOn(url);
      try {
        await store.migrate();
        const pid = await seedProject(store);
        const [winner] = await seedEmails(store, pid, 1);
        await withClient(url, async (other) => {
          // Another node's request, claimed but not yet committed.
          await other.query('begin');
          await other.query(
            `insert into idempotency_keys (project_id, key, request_hash, email_id, created_at) values ($1, 'race', 'h', $2, $3)`,
            [pid, winner!.id, T0],
          );
          const loser = newEmail(pid);
          const pending = store.emails.create(loser, { key: 'race', requestHash: 'h' });
          // The store's claim insert now waits on the other transaction.
          await waitForLockWaiters(other, dbName(url), 1);
          await other.query('commit');
          expect(await pending).toEqual({ outcome: 'replayed', emailId: winner!.id });
          expect(await store.emails.get(pid, loser.id)).toBeUndefined();
        });
      } finally {
        await store.close();
      }
    });

    it('locks the emails of a batch in id order', async () => {
      const url = await freshDatabaseUrl();
      const store = await openOn(url);
      try {
        await store.migrate();
        const pid = await seedProject(store);
        // The higher id is stored first, so neither table order nor batch order is id order.
        const [lowId, highId] = [newId(), newId()].sort();
        const high = await store.emails.create(newEmail(pid, { id: highId! }));
        const low = await store.emails.create(newEmail(pid, { id: lowId! }));
        expect([high.outcome, low.outcome]).toEqual(['created', 'created']);
        await withClient(url, async (other) => {
          await other.query('begin');
          await other.query('select id from emails where id = $1 for no key update', [lowId]);
          // The batch names the higher id first; the store must still wait for the lower one
          // before it locks the higher one.
          const pending = store.events.appendHits([hit(highId!, 'opened', T0 + 1), hit(lowId!, 'opened', T0 + 2)]);
          await waitForLockWaiters(other, dbName(url), 1);
          await other.query('select id from emails where id = $1 for no key update nowait', [highId]);
          await other.query('commit');
          await pending;
        });
        expect((await store.emails.list(pid, { limit: 10 })).map((e) => e.openCount)).toEqual([1, 1]);
      } finally {
        await store.close();
      }
    });

    it('commits concurrent batches touching the same emails without deadlocking', async () => {
      const url = await freshDatabaseUrl();
      const a = await openOn(url);
      const b = await openOn(url);
      try {
        await a.migrate();
        const pid = await seedProject(a);
        const emails = await seedEmails(a, pid, 30);
        const rounds = 30;
        for (let round = 0; round < rounds; round++) {
          const forward = () => emails.map((e, i) => hit(e.id, 'opened', T0 + round * 100 + i));
          const backward = () => forward().reverse();
          await Promise.all([
            a.events.appendHits(forward()),
            b.events.appendHits(backward()),
            a.events.appendHits(backward()),
            b.events.appendHits(forward()),
          ]);
        }
        for (const e of await a.emails.list(pid, { limit: 100 })) expect(e.openCount).toBe(rounds * 4);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
