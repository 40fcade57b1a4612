import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Domain, DomainRecord, TrackingHost, WebhookEventType } from '../../../core/model.js';
import { newId } from '../../../lib/ids.js';
import type { DomainSaveOptions, NewDomain, NewWebhookEndpoint, Store, WebhookMessage } from '../../../ports/store.js';
import { TrackingHostTaken } from '../../../ports/store.js';
import { newEmail } from './store.contract.js';

/** A fixed, realistic epoch-ms base (larger than 2^31, so 32-bit time columns would break). */
const T0 = 1_760_000_000_000;
const LEASE = T0 + 3_600_000;

/** Records as a check leaves them: nested arrays, nulls, and `priority` on some only. */
const RECORDS: DomainRecord[] = [
  {
    record: 'DKIM',
    type: 'TXT',
    name: 'wm1._domainkey.example.com',
    value: 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
    ttl: 3600,
    status: 'verified',
    found: ['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
    problem: null,
    checkedAt: T0 + 1_000,
    missingSince: null,
    verifiedAt: T0 + 1_000,
  },
  {
    record: 'MX',
    type: 'MX',
    name: 'bounce.example.com',
    value: 'feedback.example.net',
    ttl: 300,
    priority: 10,
    status: 'pending',
    found: ['mx1.other.example', 'mx2.other.example'],
    problem: 'mismatch',
    checkedAt: T0 + 1_000,
    missingSince: T0,
    verifiedAt: null,
  },
  {
    record: 'CAA',
    type: 'CAA',
    name: 'links.example.com',
    value: '0 issue "letsencrypt.org"',
    ttl: 3600,
    priority: 0,
    status: 'not_started',
    found: [],
    problem: null,
    checkedAt: null,
    missingSince: null,
    verifiedAt: null,
  },
];

/** The domain part of the store contract, run against every backend. */
export function defineDomainContract(name: string, open: () => Promise<Store>): void {
  describe(`Domain store contract: ${name}`, () => {
    let store: Store;
    let projectId: string;
    let otherProjectId: string;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
      projectId = newId();
      otherProjectId = newId();
      await store.projects.create({ id: projectId, name: 'p', isDefault: false, createdAt: T0 });
      await store.projects.create({ id: otherProjectId, name: 'o', isDefault: false, createdAt: T0 });
    });
    afterEach(() => store.close());

    function newDomain(overrides: Partial<NewDomain> = {}): NewDomain {
      const id = overrides.id ?? newId();
      return {
        id,
        projectId,
        name: `d-${id.slice(-12)}.example.com`,
        returnPath: 'bounce',
        openTracking: true,
        clickTracking: false,
        trapLink: false,
        aggregateOnly: false,
        tls: 'opportunistic',
        dkimSelector: 'wm1',
        dkimPublicKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
        dkimPrivateKeySealed: 'v1.sealed.' + Buffer.alloc(32, 7).toString('base64'),
        status: 'not_started',
        records: RECORDS,
        verificationStartedAt: null,
        lastCheckedAt: null,
        nextCheckAt: null,
        createdAt: T0,
        ...overrides,
      };
    }

    /** What `create` must return for `d`: everything as given, no hosts, version 0. */
    function asCreated(d: NewDomain): Domain {
      return {
        ...d,
        trackingSubdomain: null,
        trackingSubdomainSetAt: null,
        activeHostId: null,
        version: 0,
        updatedAt: d.createdAt,
        hosts: [],
      };
    }

    async function create(overrides: Partial<NewDomain> = {}): Promise<Domain> {
      const result = await store.domains.create(newDomain(overrides));
      if (result.outcome !== 'created') throw new Error(`expected created, got ${result.outcome}`);
      return result.domain;
    }

    async function save(domain: Domain, options?: DomainSaveOptions): Promise<Domain> {
      const saved = await store.domains.save(domain, options);
      if (saved === undefined) throw new Error('save was stale');
      return saved;
    }

    /** Saves `domain` with a new tracking host and returns the domain and that host. */
    async function addHost(domain: Domain, hostname: string, at = T0 + 10): Promise<{ domain: Domain; host: TrackingHost }> {
      const saved = await save({ ...domain, updatedAt: at }, { newHost: { hostname, status: 'not_verified', createdAt: at } });
      const host = saved.hosts.find((h) => h.hostname === hostname);
      if (host === undefined) throw new Error(`host ${hostname} missing`);
      return { domain: saved, host };
    }

    async function endpoint(events: WebhookEventType[]): Promise<string> {
      const e: NewWebhookEndpoint = {
        id: newId(),
        projectId,
        url: 'https://hooks.example.com/in',
        description: null,
        events,
        secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'),
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      };
      return (await store.webhooks.createEndpoint(e)).id;
    }

    function message(domain: Domain, at: number): WebhookMessage {
      return {
        projectId,
        messageId: newId(),
        eventType: 'domain.updated',
        payload: JSON.stringify({ type: 'domain.updated', data: { id: domain.id, name: domain.name } }),
        createdAt: at,
      };
    }

    describe('create and read', () => {
      it('returns every field as given from create, get, findByName and list', async () => {
        const given = newDomain({
          openTracking: false,
          clickTracking: true,
          tls: 'enforced',
          status: 'pending',
          verificationStartedAt: T0 + 1,
          lastCheckedAt: T0 + 2,
          nextCheckAt: T0 + 3,
          createdAt: T0 + 4,
        });
        const result = await store.domains.create(given);
        expect(result).toStrictEqual({ outcome: 'created', domain: asCreated(given) });
        expect(await store.domains.get(projectId, given.id)).toStrictEqual(asCreated(given));
        expect(await store.domains.findByName(projectId, given.name)).toStrictEqual(asCreated(given));
        expect(await store.domains.list(projectId, { limit: 10 })).toStrictEqual([asCreated(given)]);

        // The other booleans and empty records round-trip too.
        const plain = newDomain({ records: [] });
        expect(await store.domains.create(plain)).toStrictEqual({ outcome: 'created', domain: asCreated(plain) });
        expect(await store.domains.get(projectId, plain.id)).toStrictEqual(asCreated(plain));

        // The optional `priority` stays absent where it was absent, and 0 where it was 0.
        const records = (await store.domains.get(projectId, given.id))!.records;
        expect(records.map((r) => 'priority' in r)).toEqual([false, true, true]);
        expect(records.map((r) => r.priority)).toEqual([undefined, 10, 0]);

        expect(await store.domains.findByName(projectId, 'unknown.example.com')).toBeUndefined();
        expect(await store.domains.get(projectId, newId())).toBeUndefined();
      });

      it('lists newest first, with an after cursor and a limit', async () => {
        const a = await create();
        const b = await create();
        const c = await create();
        const ids = async (after?: string, limit = 10) =>
          (await store.domains.list(projectId, after === undefined ? { limit } : { limit, after })).map((d) => d.id);
        expect(await ids()).toEqual([c.id, b.id, a.id]);
        expect(await ids(undefined, 2)).toEqual([c.id, b.id]);
        expect(await ids(b.id)).toEqual([a.id]);
        expect(await ids(c.id, 1)).toEqual([b.id]);
        expect(await ids(a.id)).toEqual([]);
        expect(await ids(undefined, 0)).toEqual([]);
        expect(await ids('not-a-uuid')).toEqual([]);
      });

      it('keeps projects apart, and finds nothing (without throwing) for malformed ids', async () => {
        const d = await create();
        expect(await store.domains.get(otherProjectId, d.id)).toBeUndefined();
        expect(await store.domains.findByName(otherProjectId, d.name)).toBeUndefined();
        expect(await store.domains.list(otherProjectId, { limit: 10 })).toEqual([]);

        expect(await store.domains.get('not-a-uuid', d.id)).toBeUndefined();
        expect(await store.domains.get(projectId, 'not-a-uuid')).toBeUndefined();
        expect(await store.domains.get(projectId, '')).toBeUndefined();
        expect(await store.domains.findByName('not-a-uuid', d.name)).toBeUndefined();
        expect(await store.domains.list('not-a-uuid', { limit: 10 })).toEqual([]);
        expect(await store.domains.delete('not-a-uuid', d.id, T0)).toBe(false);
        expect(await store.domains.delete(projectId, 'not-a-uuid', T0)).toBe(false);
        expect(await store.domains.get(projectId, d.id)).toStrictEqual(d);
      });

      it('refuses a name any project already has, and writes nothing', async () => {
        const first = await create();
        const sameProject = newDomain({ name: first.name });
        const otherProject = newDomain({ name: first.name, projectId: otherProjectId });
        expect(await store.domains.create(sameProject)).toEqual({ outcome: 'conflict' });
        expect(await store.domains.create(otherProject)).toEqual({ outcome: 'conflict' });

        expect(await store.domains.get(projectId, sameProject.id)).toBeUndefined();
        expect(await store.domains.get(otherProjectId, otherProject.id)).toBeUndefined();
        expect(await store.domains.findByName(otherProjectId, first.name)).toBeUndefined();
        expect(await store.domains.list(otherProjectId, { limit: 10 })).toEqual([]);
        expect(await store.domains.list(projectId, { limit: 10 })).toStrictEqual([first]);
      });
    });

    describe('save', () => {
      it('writes status, records, schedule, settings, subdomain and active host, bumping the version', async () => {
        const created = await create();
        const { domain: withHost, host } = await addHost(
          { ...created, trackingSubdomain: 'links', trackingSubdomainSetAt: T0 + 10 },
          `links.${created.name}`,
        );
        expect(Number.isSafeInteger(host.id) && host.id > 0).toBe(true);
        expect(withHost).toStrictEqual({
          ...created,
          trackingSubdomain: 'links',
          trackingSubdomainSetAt: T0 + 10,
          updatedAt: T0 + 10,
          version: 1,
          hosts: [
            {
              id: host.id,
              domainId: created.id,
              projectId,
              hostname: `links.${created.name}`,
              status: 'not_verified',
              createdAt: T0 + 10,
              verifiedAt: null,
              deletedAt: null,
            },
          ],
        });

        const records: DomainRecord[] = RECORDS.map((r) => ({ ...r, status: 'verified', found: [r.value], problem: null, missingSince: null, verifiedAt: T0 + 20 }));
        const changed: Domain = {
          ...withHost,
          openTracking: false,
          clickTracking: true,
          tls: 'enforced',
          activeHostId: host.id,
          status: 'verified',
          records,
          verificationStartedAt: T0 + 15,
          lastCheckedAt: T0 + 20,
          nextCheckAt: T0 + 86_400_000,
          updatedAt: T0 + 20,
        };
        const saved = await save(changed, { hostUpdates: [{ id: host.id, status: 'verified', verifiedAt: T0 + 20 }] });
        const expected: Domain = { ...changed, version: 2, hosts: [{ ...host, status: 'verified', verifiedAt: T0 + 20 }] };
        expect(saved).toStrictEqual(expected);
        expect(await store.domains.get(projectId, created.id)).toStrictEqual(expected);
        expect(await store.domains.findByName(projectId, created.name)).toStrictEqual(expected);

        // A second host comes after the first (oldest first), and the subdomain moves to it.
        const { domain: twoHosts, host: second } = await addHost(
          { ...saved, trackingSubdomain: 'track', trackingSubdomainSetAt: T0 + 30 },
          `track.${created.name}`,
          T0 + 30,
        );
        expect(second.id).toBeGreaterThan(host.id);
        expect(twoHosts.hosts.map((h) => [h.id, h.hostname])).toEqual([
          [host.id, `links.${created.name}`],
          [second.id, `track.${created.name}`],
        ]);
        expect(twoHosts).toMatchObject({ trackingSubdomain: 'track', trackingSubdomainSetAt: T0 + 30, activeHostId: host.id, version: 3 });
      });

      it('returns undefined for a stale version and changes nothing: no fields, no host, no webhook', async () => {
        const hook = await endpoint(['domain.updated']);
        const created = await create();
        const current = await save({ ...created, status: 'pending', updatedAt: T0 + 5 });
        expect(current.version).toBe(1);

        const stale: Domain = { ...created, status: 'failed', records: [], openTracking: false, trackingSubdomain: 'links', updatedAt: T0 + 6 };
        const result = await store.domains.save(stale, {
          newHost: { hostname: `links.${created.name}`, status: 'not_verified', createdAt: T0 + 6 },
          message: message(created, T0 + 6),
        });
        expect(result).toBeUndefined();
        expect(await store.domains.get(projectId, created.id)).toStrictEqual(current);
        expect(await store.domains.allHosts()).toEqual([]);
        expect(await store.webhooks.listDeliveries(projectId, hook, { limit: 10 })).toEqual([]);

        // The rolled-back host did not take the hostname.
        const { host } = await addHost(current, `links.${created.name}`, T0 + 7);
        expect(await store.domains.allHosts()).toStrictEqual([host]);
      });

      it('returns undefined for a deleted domain and writes no host for it', async () => {
        const created = await create();
        expect(await store.domains.delete(projectId, created.id, T0 + 1)).toBe(true);
        const result = await store.domains.save(
          { ...created, status: 'verified', updatedAt: T0 + 2 },
          { newHost: { hostname: `links.${created.name}`, status: 'not_verified', createdAt: T0 + 2 } },
        );
        expect(result).toBeUndefined();
        expect(await store.domains.allHosts()).toEqual([]);
      });

      it('queues its message in the same transaction, for subscribed endpoints only', async () => {
        const subscribed = await endpoint(['domain.updated']);
        const notSubscribed = await endpoint(['email.opened']);
        const created = await create();
        const msg = message(created, T0 + 50);
        const saved = await save({ ...created, status: 'verified', updatedAt: T0 + 50 }, { message: msg });
        expect(saved.version).toBe(1);
        expect(await store.webhooks.listDeliveries(projectId, subscribed, { limit: 10 })).toStrictEqual([
          {
            endpointId: subscribed,
            messageId: msg.messageId,
            projectId,
            eventType: 'domain.updated',
            eventId: null,
            payload: msg.payload,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: T0 + 50,
            lastAttemptAt: null,
            lastStatusCode: null,
            lastError: null,
            lastDurationMs: null,
            lastResponse: null,
            createdAt: T0 + 50,
          },
        ]);
        expect(await store.webhooks.listDeliveries(projectId, notSubscribed, { limit: 10 })).toEqual([]);
      });

      it('refuses (TrackingHostTaken) a live host of another domain and writes nothing; a tombstone does not block', async () => {
        const hook = await endpoint(['domain.updated']);
        const owner = await create();
        const { host: taken } = await addHost(owner, 'links.shared.example.com');
        const other = await create();

        await expect(
          store.domains.save(
            { ...other, status: 'verified', trackingSubdomain: 'links', updatedAt: T0 + 20 },
            { newHost: { hostname: 'links.shared.example.com', status: 'not_verified', createdAt: T0 + 20 }, message: message(other, T0 + 20) },
          ),
        ).rejects.toBeInstanceOf(TrackingHostTaken);
        expect(await store.domains.get(projectId, other.id)).toStrictEqual(other);
        expect(await store.domains.allHosts()).toStrictEqual([taken]);
        expect(await store.webhooks.listDeliveries(projectId, hook, { limit: 10 })).toEqual([]);

        expect(await store.domains.delete(projectId, owner.id, T0 + 30)).toBe(true);
        const { domain: reused, host } = await addHost(other, 'links.shared.example.com', T0 + 40);
        expect(host.id).toBeGreaterThan(taken.id);
        expect(reused.hosts).toStrictEqual([host]);
        expect(await store.domains.allHosts()).toStrictEqual([{ ...taken, deletedAt: T0 + 30 }, host]);
      });
    });

    describe('delete', () => {
      it('deletes once, leaves its hosts as tombstones, and never reuses their ids', async () => {
        const created = await create();
        const { domain: one, host: first } = await addHost(created, `links.${created.name}`, T0 + 10);
        const { host: second } = await addHost(one, `track.${created.name}`, T0 + 20);
        const bystander = await create();
        const { host: bystanderHost } = await addHost(bystander, `links.${bystander.name}`, T0 + 25);

        expect(await store.domains.delete(otherProjectId, created.id, T0 + 30)).toBe(false);
        expect((await store.domains.get(projectId, created.id))?.hosts).toStrictEqual([first, second]);

        expect(await store.domains.delete(projectId, created.id, T0 + 40)).toBe(true);
        expect(await store.domains.delete(projectId, created.id, T0 + 41)).toBe(false);
        expect(await store.domains.get(projectId, created.id)).toBeUndefined();
        expect(await store.domains.findByName(projectId, created.name)).toBeUndefined();
        expect((await store.domains.list(projectId, { limit: 10 })).map((d) => d.id)).toEqual([bystander.id]);
        expect(await store.domains.allHosts()).toStrictEqual([
          { ...first, deletedAt: T0 + 40 },
          { ...second, deletedAt: T0 + 40 },
          bystanderHost,
        ]);

        // The name is free again; its new host gets an id above every id handed out so far.
        const again = await create({ name: created.name });
        const { host: fresh } = await addHost(again, `links.${created.name}`, T0 + 50);
        expect(fresh.id).toBeGreaterThan(Math.max(first.id, second.id, bystanderHost.id));
        expect((await store.domains.allHosts()).map((h) => h.id)).toEqual([first.id, second.id, bystanderHost.id, fresh.id]);
      });
    });

    describe('claimDue', () => {
      it('claims due domains only, at most `limit` (the oldest due), and leases them', async () => {
        // Created in an order unlike their due order, so id order is not due order.
        const late = await create({ nextCheckAt: T0 + 300 });
        const middle = await create({ nextCheckAt: T0 + 200 });
        const early = await create({ nextCheckAt: T0 + 100 });
        const future = await create({ nextCheckAt: T0 + 10_000 });
        const never = await create({ nextCheckAt: null });
        const { domain: middleWithHost } = await addHost(middle, `links.${middle.name}`);
        const byId = (ds: Domain[]) => [...ds].sort((a, b) => (a.id < b.id ? -1 : 1));

        const first = await store.domains.claimDue(T0 + 300, LEASE, 2);
        expect(byId(first)).toStrictEqual(byId([
          { ...early, nextCheckAt: LEASE },
          { ...middleWithHost, nextCheckAt: LEASE },
        ]));
        expect(await store.domains.get(projectId, early.id)).toStrictEqual({ ...early, nextCheckAt: LEASE });
        expect(await store.domains.get(projectId, middle.id)).toStrictEqual({ ...middleWithHost, nextCheckAt: LEASE });

        // nextCheckAt == now is due; the leased ones are not, at the same `now`.
        expect((await store.domains.claimDue(T0 + 300, LEASE, 10)).map((d) => d.id)).toEqual([late.id]);
        expect(await store.domains.claimDue(T0 + 300, LEASE, 10)).toEqual([]);
        expect((await store.domains.get(projectId, future.id))?.nextCheckAt).toBe(T0 + 10_000);

        expect((await store.domains.claimDue(T0 + 10_000, LEASE, 10)).map((d) => d.id)).toEqual([future.id]);
        // Once the lease has run out, the claimed domains are due again; the null one never is.
        expect((await store.domains.claimDue(LEASE, LEASE + 1_000, 10)).map((d) => d.id).sort()).toEqual(
          [late.id, middle.id, early.id, future.id].sort(),
        );
        // However late it gets, a domain without a next check is never claimed.
        expect((await store.domains.claimDue(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 10)).map((d) => d.id).sort()).toEqual(
          [late.id, middle.id, early.id, future.id].sort(),
        );
        expect((await store.domains.get(projectId, never.id))?.nextCheckAt).toBeNull();
        expect(await store.domains.claimDue(T0 + 10_000, LEASE, 0)).toEqual([]);
      });

      it('returns the claimed domains oldest due first', async () => {
        // Ids ascend while due times descend: neither id nor insertion order is due order.
        const ds: Domain[] = [];
        for (let i = 0; i < 6; i++) ds.push(await create({ nextCheckAt: T0 + 1_000 - i * 100 }));
        const claimed = await store.domains.claimDue(T0 + 1_000, LEASE, 10);
        expect(claimed.map((d) => d.id)).toEqual([...ds].reverse().map((d) => d.id));
      });

      it('never gives the same domain to two concurrent claimDue calls', async () => {
        const due: string[] = [];
        for (let i = 0; i < 24; i++) due.push((await create({ nextCheckAt: T0 + i })).id);
        const claims = new Map<string, number>();
        for (let round = 0; round < 50; round++) {
          const batches = await Promise.all([1, 2, 3, 4].map(() => store.domains.claimDue(T0 + 1_000, LEASE, 3)));
          if (batches.every((b) => b.length === 0)) break;
          for (const d of batches.flat()) claims.set(d.id, (claims.get(d.id) ?? 0) + 1);
        }
        expect([...claims.keys()].sort()).toEqual([...due].sort());
        expect([...claims.values()].every((n) => n === 1)).toBe(true);
      });
    });

    describe('countEmailsOnHosts', () => {
      it('counts the emails minted on the given hosts since a time', async () => {
        const created = await create();
        const { domain: one, host: a } = await addHost(created, `links.${created.name}`, T0 + 10);
        const { host: b } = await addHost(one, `track.${created.name}`, T0 + 20);
        const email = async (trackingHostId: number, createdAt: number) => {
          const r = await store.emails.create(newEmail(projectId, { domainId: created.id, trackingHostId, createdAt }));
          expect(r.outcome).toBe('created');
        };
        await email(a.id, T0 + 50);
        await email(a.id, T0 + 100);
        await email(a.id, T0 + 200);
        await email(b.id, T0 + 300);
        await email(0, T0 + 400);

        expect(await store.domains.countEmailsOnHosts([a.id], T0 + 100)).toBe(2);
        expect(await store.domains.countEmailsOnHosts([a.id, b.id], T0 + 100)).toBe(3);
        expect(await store.domains.countEmailsOnHosts([a.id, b.id], T0)).toBe(4);
        expect(await store.domains.countEmailsOnHosts([b.id], T0 + 300)).toBe(1);
        expect(await store.domains.countEmailsOnHosts([b.id], T0 + 301)).toBe(0);
        expect(await store.domains.countEmailsOnHosts([], T0)).toBe(0);
        expect(await store.domains.countEmailsOnHosts([b.id + 1000], T0)).toBe(0);
        expect(await store.domains.countEmailsOnHosts([b.id + 1000, a.id], T0)).toBe(3);

        // Still counted once the hosts are tombstones.
        await store.domains.delete(projectId, created.id, T0 + 500);
        expect(await store.domains.countEmailsOnHosts([a.id, b.id], T0)).toBe(4);
      });
    });
  });
}
