import { CLASSIFIER_VERSION } from '../../../core/classification/labels.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Email, EmailEvent } from '../../../core/model.js';
import type { NewEmail, Store, TrackingHit } from '../../../ports/store.js';
import { newId } from '../../../lib/ids.js';
import { JOURNAL_START } from '../../../ports/journal-position.js';

/** Emails with this subject fail every UPDATE once {@link StoreContractOptions.failEmailUpdates} ran. */
export const FAIL_ON_UPDATE_SUBJECT = 'fail-on-update';

export interface StoreContractOptions {
  /**
   * Installs, on the database behind `store`, a trigger that makes any UPDATE of an email whose
   * subject is {@link FAIL_ON_UPDATE_SUBJECT} fail. Lets the suite break a transaction after its
   * first statements succeeded.
   */
  failEmailUpdates(store: Store): Promise<void>;
}

/** A fixed, realistic epoch-ms base (larger than 2^31, so 32-bit time columns would break). */
const T0 = 1_760_000_000_000;
const HOUR = 3_600_000;
const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

export function newEmail(projectId: string, overrides: Partial<NewEmail> = {}): NewEmail {
  return {
    id: newId(),
    projectId,
    from: 'Sender <sender@example.com>',
    to: ['to@example.com'],
    cc: ['cc@example.com'],
    bcc: [],
    replyTo: ['reply@example.com'],
    subject: 'Hello',
    html: '<p>Hi <a href="https://t.example/c/1">there</a></p>',
    text: 'Hi there',
    headers: { 'X-Campaign': 'spring' },
    tags: [{ name: 'category', value: 'welcome' }],
    trackOpens: true,
    trackClicks: 'html_and_text',
    links: [{ index: 0, url: 'https://example.com/a?b=1', label: 'there', location: 'html' }],
    status: 'queued',
    statusDetail: null,
    messageId: null,
    nextAttemptAt: T0,
    createdAt: T0,
    sentAt: null,
    ...overrides,
  };
}

export function hit(
  emailId: string,
  type: TrackingHit['type'],
  createdAt: number,
  overrides: Partial<TrackingHit> = {},
): TrackingHit {
  return {
    id: newId(),
    emailId,
    type,
    createdAt,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 "quoted", {braces}, back\\slash',
    referer: null,
    linkIndex: type === 'clicked' ? 0 : null,
    url: type === 'clicked' ? 'https://example.com/a?b=1' : null,
    ...overrides,
  };
}

/**
 * The Store contract, run against every backend. `open` must return a store on a fresh, empty,
 * not yet migrated database; every test gets its own.
 */
export function defineStoreContract(name: string, open: () => Promise<Store>, options: StoreContractOptions): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await open();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    async function project(isDefault = false): Promise<string> {
      const id = newId();
      await store.projects.create({ id, name: `project ${id.slice(-4)}`, isDefault, createdAt: T0 });
      return id;
    }

    async function createEmail(projectId: string, overrides: Partial<NewEmail> = {}): Promise<Email> {
      const result = await store.emails.create(newEmail(projectId, overrides));
      if (result.outcome !== 'created') throw new Error(`expected created, got ${result.outcome}`);
      return result.email;
    }

    async function allEvents(projectId: string): Promise<EmailEvent[]> {
      return store.events.list(projectId, { limit: 10_000 });
    }

    describe('migrations', () => {
      it('can run again on a migrated database without changing data', async () => {
        const pid = await project(true);
        await store.migrate();
        await store.migrate();
        expect(await store.projects.get(pid)).toMatchObject({ id: pid, isDefault: true });
        await createEmail(pid);
        expect(await store.emails.list(pid, { limit: 10 })).toHaveLength(1);
      });
    });

    describe('projects', () => {
      it('creates, gets and lists projects, newest first', async () => {
        expect(await store.projects.getDefault()).toBeUndefined();
        const a = await store.projects.create({ id: newId(), name: 'Default', isDefault: true, createdAt: T0 });
        const b = await store.projects.create({ id: newId(), name: 'Other', isDefault: false, createdAt: T0 + 1 });
        expect(a).toEqual({ id: a.id, name: 'Default', isDefault: true, createdAt: T0 });
        expect(await store.projects.get(b.id)).toEqual(b);
        expect(await store.projects.getDefault()).toEqual(a);
        expect(await store.projects.list()).toEqual([b, a]);
      });

      it('returns undefined for unknown or malformed ids', async () => {
        await project();
        expect(await store.projects.get(newId())).toBeUndefined();
        expect(await store.projects.get('not-a-uuid')).toBeUndefined();
      });

      it('allows only one default project', async () => {
        await project(true);
        await expect(project(true)).rejects.toThrow();
        expect((await store.projects.list()).filter((p) => p.isDefault)).toHaveLength(1);
      });
    });

    describe('API keys', () => {
      it('creates keys and finds them by hash', async () => {
        const pid = await project();
        const key = await store.apiKeys.create({
          id: newId(),
          projectId: pid,
          name: 'ci',
          role: 'admin',
          prefix: 'wm_Ab3d',
          hash: 'a'.repeat(64),
          createdAt: T0,
        });
        expect(key).toEqual({
          id: key.id,
          projectId: pid,
          name: 'ci',
          role: 'admin',
          prefix: 'wm_Ab3d',
          createdAt: T0,
          lastUsedAt: null,
          expiresAt: null,
          domainId: null,
        });
        expect(await store.apiKeys.findByHash('a'.repeat(64))).toEqual(key);
        expect(await store.apiKeys.findByHash('b'.repeat(64))).toBeUndefined();
      });

      it('keeps an expiry and a domain limit, and revokes a key of its own project only', async () => {
        const pid = await project();
        const domainId = newId();
        const key = await store.apiKeys.create({
          id: newId(),
          projectId: pid,
          name: 'sender',
          role: 'sending',
          prefix: 'wm_s',
          hash: 's'.repeat(64),
          createdAt: T0,
          expiresAt: T0 + 1000,
          domainId,
        });
        expect(key).toMatchObject({ role: 'sending', expiresAt: T0 + 1000, domainId });
        expect(await store.apiKeys.get(pid, key.id)).toEqual(key);
        expect(await store.apiKeys.get(newId(), key.id)).toBeUndefined();
        expect(await store.apiKeys.get(pid, 'not-a-uuid')).toBeUndefined();
        expect(await store.apiKeys.findById(key.id)).toEqual(key);
        expect(await store.apiKeys.findById('not-a-uuid')).toBeUndefined();
        expect(await store.apiKeys.delete(newId(), key.id)).toBe(false);
        expect(await store.apiKeys.delete(pid, 'not-a-uuid')).toBe(false);
        expect(await store.apiKeys.findByHash('s'.repeat(64))).toEqual(key);
        expect(await store.apiKeys.delete(pid, key.id)).toBe(true);
        expect(await store.apiKeys.findByHash('s'.repeat(64))).toBeUndefined();
        expect(await store.apiKeys.delete(pid, key.id)).toBe(false);
      });

      it('rejects a duplicate hash and an unknown project', async () => {
        const pid = await project();
        const base = { name: 'k', role: 'member' as const, prefix: 'wm_x', createdAt: T0 };
        await store.apiKeys.create({ ...base, id: newId(), projectId: pid, hash: 'h1' });
        await expect(store.apiKeys.create({ ...base, id: newId(), projectId: pid, hash: 'h1' })).rejects.toThrow();
        await expect(store.apiKeys.create({ ...base, id: newId(), projectId: newId(), hash: 'h2' })).rejects.toThrow();
        expect(await store.apiKeys.count()).toBe(1);
      });

      it('touch sets last_used_at and never moves it backwards', async () => {
        const pid = await project();
        const key = await store.apiKeys.create({
          id: newId(),
          projectId: pid,
          name: 'k',
          role: 'member',
          prefix: 'wm_x',
          hash: 'h',
          createdAt: T0,
        });
        await store.apiKeys.touch(key.id, T0 + 500);
        expect((await store.apiKeys.findByHash('h'))?.lastUsedAt).toBe(T0 + 500);
        await store.apiKeys.touch(key.id, T0 + 100);
        expect((await store.apiKeys.findByHash('h'))?.lastUsedAt).toBe(T0 + 500);
        await store.apiKeys.touch(key.id, T0 + 900);
        expect((await store.apiKeys.findByHash('h'))?.lastUsedAt).toBe(T0 + 900);
      });

      it('counts keys of every project and lists one project’s keys, newest first', async () => {
        const p1 = await project();
        const p2 = await project();
        expect(await store.apiKeys.count()).toBe(0);
        const mk = (projectId: string, hash: string) =>
          store.apiKeys.create({ id: newId(), projectId, name: hash, role: 'member', prefix: 'wm_', hash, createdAt: T0 });
        const k1 = await mk(p1, 'h1');
        const k2 = await mk(p1, 'h2');
        const k3 = await mk(p2, 'h3');
        expect(await store.apiKeys.count()).toBe(3);
        expect(await store.apiKeys.list(p1)).toEqual([k2, k1]);
        expect(await store.apiKeys.list(p2)).toEqual([k3]);
        expect(await store.apiKeys.list(newId())).toEqual([]);
      });
    });

    describe('emails', () => {
      it('creates an email and reads back every field', async () => {
        const pid = await project();
        const input = newEmail(pid, { trackClicks: false, html: null, bcc: ['b1@example.com', 'b2@example.com'] });
        const result = await store.emails.create(input);
        const expected: Email = {
          ...input,
          deliveryAttempts: 0,
          openedAt: null,
          clickedAt: null,
          openCount: 0,
          clickCount: 0,
          humanOpenedAt: null,
          humanClickedAt: null,
          machineOpenCount: 0,
          machineClickCount: 0,
          aggregateOnly: false,
          lastEvent: null,
          lastEventAt: null,
          domainId: null,
          trackingHostId: 0,
        };
        expect(result).toEqual({ outcome: 'created', email: expected });
        expect(await store.emails.get(pid, input.id)).toEqual(expected);
        expect(await allEvents(pid)).toEqual([]);
      });

      it('never returns another project’s email', async () => {
        const p1 = await project();
        const p2 = await project();
        const email = await createEmail(p1);
        expect(await store.emails.get(p2, email.id)).toBeUndefined();
        expect(await store.emails.get(p1, newId())).toBeUndefined();
        expect(await store.emails.get(p1, 'nope')).toBeUndefined();
        expect(await store.emails.list(p2, { limit: 10 })).toEqual([]);
      });

      it('lists by status and creation time, with the cursor', async () => {
        const pid = await project();
        const make = async (status: Email['status'], createdAt: number) => {
          const r = await store.emails.create(newEmail(pid, { status, createdAt, nextAttemptAt: status === 'queued' ? createdAt : null }));
          if (r.outcome !== 'created') throw new Error('not created');
          return r.email.id;
        };
        const a = await make('captured', T0);
        const b = await make('queued', T0 + 10);
        const c = await make('captured', T0 + 20);
        const d = await make('captured', T0 + 30);
        const ids = async (f: Parameters<Store['emails']['list']>[1]) => (await store.emails.list(pid, f)).map((e) => e.id);
        expect(await ids({ limit: 10, status: 'captured' })).toEqual([d, c, a]);
        expect(await ids({ limit: 10, status: 'queued' })).toEqual([b]);
        expect(await ids({ limit: 10, status: 'failed' })).toEqual([]);
        expect(await ids({ limit: 10, since: T0 + 10, until: T0 + 30 })).toEqual([c, b]);
        expect(await ids({ limit: 1, status: 'captured', after: d })).toEqual([c]);
        expect(await ids({ limit: 10, status: 'captured', since: T0 + 5, after: c })).toEqual([]);
      });

      it('lists newest first with an `after` cursor', async () => {
        const p1 = await project();
        const p2 = await project();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push((await createEmail(p1, { createdAt: T0 + i })).id);
          await createEmail(p2);
        }
        const newestFirst = [...ids].reverse();
        const page1 = await store.emails.list(p1, { limit: 2 });
        expect(page1.map((e) => e.id)).toEqual(newestFirst.slice(0, 2));
        const page2 = await store.emails.list(p1, { limit: 2, after: page1[1]!.id });
        expect(page2.map((e) => e.id)).toEqual(newestFirst.slice(2, 4));
        const page3 = await store.emails.list(p1, { limit: 2, after: page2[1]!.id });
        expect(page3.map((e) => e.id)).toEqual(newestFirst.slice(4));
        expect(await store.emails.list(p1, { limit: 2, after: page3[0]!.id })).toEqual([]);
        expect(await store.emails.list(p1, { limit: 0 })).toEqual([]);
        expect(await store.emails.list(p1, { limit: 10, after: 'garbage' })).toEqual([]);
      });

      describe('idempotency', () => {
        it('replays the same key and body, and rejects the same key with another body', async () => {
          const pid = await project();
          const first = newEmail(pid);
          const created = await store.emails.create(first, { key: 'k1', requestHash: 'h1' });
          expect(created.outcome).toBe('created');
          expect(await store.emails.create(newEmail(pid), { key: 'k1', requestHash: 'h1' })).toEqual({
            outcome: 'replayed',
            emailId: first.id,
          });
          expect(await store.emails.create(newEmail(pid), { key: 'k1', requestHash: 'h2' })).toEqual({
            outcome: 'conflict',
          });
          expect((await store.emails.list(pid, { limit: 10 })).map((e) => e.id)).toEqual([first.id]);
        });

        it('scopes keys to a project', async () => {
          const p1 = await project();
          const p2 = await project();
          const a = await store.emails.create(newEmail(p1), { key: 'same', requestHash: 'h' });
          const b = await store.emails.create(newEmail(p2), { key: 'same', requestHash: 'h' });
          expect([a.outcome, b.outcome]).toEqual(['created', 'created']);
        });

        it('creates exactly one email for concurrent requests with the same key', async () => {
          const pid = await project();
          const emails = Array.from({ length: 6 }, () => newEmail(pid));
          const results = await Promise.all(
            emails.map((e) => store.emails.create(e, { key: 'concurrent', requestHash: 'h' })),
          );
          const created = results.filter((r) => r.outcome === 'created');
          expect(created).toHaveLength(1);
          const winner = created[0]!.outcome === 'created' ? created[0]!.email.id : '';
          for (const r of results) {
            if (r.outcome !== 'created') expect(r).toEqual({ outcome: 'replayed', emailId: winner });
          }
          expect((await store.emails.list(pid, { limit: 10 })).map((e) => e.id)).toEqual([winner]);
        });

        it('leaves no email behind when the request is replayed', async () => {
          const pid = await project();
          await store.emails.create(newEmail(pid), { key: 'k', requestHash: 'h' });
          const second = newEmail(pid, { status: 'captured', sentAt: T0 });
          await store.emails.create(second, { key: 'k', requestHash: 'h' });
          expect(await store.emails.get(pid, second.id)).toBeUndefined();
          expect(await allEvents(pid)).toEqual([]);
        });
      });

      it('gives a captured email its sent event in the same write', async () => {
        const pid = await project();
        const input = newEmail(pid, { status: 'captured', nextAttemptAt: null, sentAt: T0 + 5 });
        const result = await store.emails.create(input);
        expect(result.outcome === 'created' && result.email).toMatchObject({
          status: 'captured',
          lastEvent: 'sent',
          lastEventAt: T0 + 5,
        });
        expect(await store.emails.get(pid, input.id)).toMatchObject({ lastEvent: 'sent', lastEventAt: T0 + 5 });
        const events = await allEvents(pid);
        expect(events).toEqual([
          {
            id: events[0]!.id,
            projectId: pid,
            emailId: input.id,
            type: 'sent',
            createdAt: T0 + 5,
            ip: null,
            userAgent: null,
            referer: null,
            linkIndex: null,
            url: null,
            detail: 'captured',
            classification: null,
            proxy: null,
            signals: null,
          },
        ]);
      });

      describe('claimDue', () => {
        it('claims due queued emails, oldest due first, and leases them', async () => {
          const pid = await project();
          const e1 = await createEmail(pid, { nextAttemptAt: T0 });
          const e2 = await createEmail(pid, { nextAttemptAt: T0 + 10 });
          const e3 = await createEmail(pid, { nextAttemptAt: T0 + 1_000 });
          await createEmail(pid, { status: 'captured', nextAttemptAt: null, sentAt: T0 });
          await createEmail(pid, { status: 'failed', nextAttemptAt: T0 });

          const first = await store.emails.claimDue(T0 + 100, T0 + 5_000, 10);
          expect(first.map((e) => e.id)).toEqual([e1.id, e2.id]);
          for (const e of first) expect(e).toMatchObject({ deliveryAttempts: 1, nextAttemptAt: T0 + 5_000, status: 'queued' });
          expect(await store.emails.get(pid, e1.id)).toMatchObject({ deliveryAttempts: 1, nextAttemptAt: T0 + 5_000 });

          // Leased: not claimed again before the lease ends.
          const second = await store.emails.claimDue(T0 + 4_999, T0 + 6_000, 10);
          expect(second.map((e) => e.id)).toEqual([e3.id]);
          expect(await store.emails.claimDue(T0 + 4_999, T0 + 6_000, 10)).toEqual([]);

          // The lease lapsed (a crashed sender): claimable again, limit respected.
          const third = await store.emails.claimDue(T0 + 5_000, T0 + 9_000, 1);
          expect(third.map((e) => [e.id, e.deliveryAttempts])).toEqual([[e1.id, 2]]);
          expect(await store.emails.claimDue(T0 + 5_000, T0 + 9_000, 0)).toEqual([]);
        });
      });

      describe('recordDelivery', () => {
        it('keeps a retried email queued until retryAt, without an event', async () => {
          const pid = await project();
          const e = await createEmail(pid);
          await store.emails.claimDue(T0, T0 + 60_000, 10);
          await store.emails.recordDelivery({
            emailId: e.id,
            at: T0 + 1,
            status: 'failed',
            detail: '421 try again later',
            retryAt: T0 + 30_000,
          });
          expect(await store.emails.get(pid, e.id)).toMatchObject({
            status: 'queued',
            statusDetail: '421 try again later',
            nextAttemptAt: T0 + 30_000,
            deliveryAttempts: 1,
            lastEvent: null,
          });
          expect(await allEvents(pid)).toEqual([]);
          expect((await store.emails.claimDue(T0 + 29_999, T0 + 90_000, 10)).map((x) => x.id)).toEqual([]);
          expect((await store.emails.claimDue(T0 + 30_000, T0 + 90_000, 10)).map((x) => x.id)).toEqual([e.id]);
        });

        it('records a final sent outcome and its event', async () => {
          const pid = await project();
          const e = await createEmail(pid);
          await store.emails.recordDelivery({ emailId: e.id, at: T0 + 7, status: 'sent', messageId: '<m1@example.com>' });
          expect(await store.emails.get(pid, e.id)).toMatchObject({
            status: 'sent',
            sentAt: T0 + 7,
            messageId: '<m1@example.com>',
            nextAttemptAt: null,
            lastEvent: 'sent',
            lastEventAt: T0 + 7,
          });
          const events = await allEvents(pid);
          expect(events).toHaveLength(1);
          expect(events[0]).toMatchObject({ emailId: e.id, projectId: pid, type: 'sent', createdAt: T0 + 7, detail: 'sent' });

          // A repeated report of a finished email changes nothing.
          await store.emails.recordDelivery({ emailId: e.id, at: T0 + 9, status: 'failed', detail: 'late' });
          expect(await store.emails.get(pid, e.id)).toMatchObject({ status: 'sent', sentAt: T0 + 7 });
          expect(await allEvents(pid)).toHaveLength(1);
        });

        it('records a final failure with the error as event detail', async () => {
          const pid = await project();
          const e = await createEmail(pid);
          await store.emails.recordDelivery({ emailId: e.id, at: T0 + 3, status: 'failed', detail: '550 no such user' });
          expect(await store.emails.get(pid, e.id)).toMatchObject({
            status: 'failed',
            statusDetail: '550 no such user',
            sentAt: null,
            nextAttemptAt: null,
            lastEvent: 'failed',
            lastEventAt: T0 + 3,
          });
          const events = await allEvents(pid);
          expect(events.map((x) => [x.type, x.detail, x.createdAt])).toEqual([['failed', '550 no such user', T0 + 3]]);
        });
      });
    });

    describe('appendHits', () => {
      it('counts hits and keeps the earliest first times and the latest event, in and across batches', async () => {
        const pid = await project();
        const e = await createEmail(pid);
        await store.events.appendHits([
          hit(e.id, 'opened', T0 + 300),
          hit(e.id, 'clicked', T0 + 250),
          hit(e.id, 'opened', T0 + 100),
          hit(e.id, 'opened', T0 + 200),
        ]);
        expect(await store.emails.get(pid, e.id)).toMatchObject({
          openCount: 3,
          clickCount: 1,
          openedAt: T0 + 100,
          clickedAt: T0 + 250,
          lastEvent: 'opened',
          lastEventAt: T0 + 300,
        });

        // A later batch carrying older hits (a slow node) still moves the first times back,
        // but not the last event.
        await store.events.appendHits([hit(e.id, 'opened', T0 + 50), hit(e.id, 'clicked', T0 + 60)]);
        expect(await store.emails.get(pid, e.id)).toMatchObject({
          openCount: 4,
          clickCount: 2,
          openedAt: T0 + 50,
          clickedAt: T0 + 60,
          lastEvent: 'opened',
          lastEventAt: T0 + 300,
        });

        await store.events.appendHits([hit(e.id, 'clicked', T0 + 400), hit(e.id, 'opened', T0 + 350)]);
        expect(await store.emails.get(pid, e.id)).toMatchObject({
          openCount: 5,
          clickCount: 3,
          openedAt: T0 + 50,
          clickedAt: T0 + 60,
          lastEvent: 'clicked',
          lastEventAt: T0 + 400,
        });
        expect(await allEvents(pid)).toHaveLength(8);
      });

      it('writes each hit as an event in the email’s project', async () => {
        const p1 = await project();
        const p2 = await project();
        const e = await createEmail(p1);
        const h = hit(e.id, 'clicked', T0 + HOUR, { referer: 'https://mail.example/', linkIndex: 3, url: 'https://x.example/?q="1"', userAgent: BROWSER });
        await store.events.appendHits([h]);
        expect(await allEvents(p1)).toEqual([
          {
            id: h.id,
            projectId: p1,
            emailId: e.id,
            type: 'clicked',
            createdAt: T0 + HOUR,
            ip: h.ip,
            userAgent: h.userAgent,
            referer: 'https://mail.example/',
            linkIndex: 3,
            url: 'https://x.example/?q="1"',
            detail: null,
            classification: 'human',
            proxy: null,
            signals: { version: CLASSIFIER_VERSION, rules: [], method: 'GET', ipList: null },
          },
        ]);
        expect(await allEvents(p2)).toEqual([]);
      });

      it('drops hits for unknown emails and writes the rest', async () => {
        const pid = await project();
        const e = await createEmail(pid);
        const kept = hit(e.id, 'opened', T0 + 1);
        await store.events.appendHits([hit(newId(), 'opened', T0), kept, hit('not-an-id', 'clicked', T0)]);
        expect((await allEvents(pid)).map((x) => x.id)).toEqual([kept.id]);
        expect(await store.emails.get(pid, e.id)).toMatchObject({ openCount: 1, clickCount: 0 });
        await store.events.appendHits([]);
        await store.events.appendHits([hit(newId(), 'clicked', T0)]);
        expect(await allEvents(pid)).toHaveLength(1);
      });

      it('writes nothing of a batch in which one event violates a constraint', async () => {
        const pid = await project();
        const a = await createEmail(pid);
        const b = await createEmail(pid);
        const first = hit(a.id, 'opened', T0 + 1);
        // The duplicate id comes after valid rows for both emails: the earlier rows must be undone.
        const batch = [
          first,
          hit(b.id, 'clicked', T0 + 2),
          hit(a.id, 'opened', T0 + 3),
          { ...hit(b.id, 'opened', T0 + 4), id: first.id },
        ];
        await expect(store.events.appendHits(batch)).rejects.toThrow();
        expect(await allEvents(pid)).toEqual([]);
        expect(await store.emails.get(pid, a.id)).toMatchObject({ openCount: 0, clickCount: 0, openedAt: null, lastEvent: null });
        expect(await store.emails.get(pid, b.id)).toMatchObject({ openCount: 0, clickCount: 0, clickedAt: null, lastEvent: null });
      });

      it('writes nothing of a batch whose email update fails after its events were inserted', async () => {
        const pid = await project();
        const ok = await createEmail(pid);
        const poisoned = await createEmail(pid, { subject: FAIL_ON_UPDATE_SUBJECT });
        await options.failEmailUpdates(store);
        await expect(
          store.events.appendHits([hit(ok.id, 'opened', T0 + 1), hit(poisoned.id, 'opened', T0 + 2)]),
        ).rejects.toThrow();
        expect(await allEvents(pid)).toEqual([]);
        expect(await store.emails.get(pid, ok.id)).toMatchObject({ openCount: 0, openedAt: null, lastEvent: null });

        // The trigger is real: the same batch without the poisoned email goes through.
        await store.events.appendHits([hit(ok.id, 'opened', T0 + 1)]);
        expect(await store.emails.get(pid, ok.id)).toMatchObject({ openCount: 1, openedAt: T0 + 1 });
      });

      it('writes a batch of 1000 hits across many emails', async () => {
        const pid = await project();
        const emails: Email[] = [];
        for (let i = 0; i < 25; i++) emails.push(await createEmail(pid));
        const hits: TrackingHit[] = [];
        for (let i = 0; i < 1000; i++) {
          hits.push(hit(emails[i % 25]!.id, i % 4 === 0 ? 'clicked' : 'opened', T0 + 1000 - i));
        }
        await store.events.appendHits(hits);
        expect(await allEvents(pid)).toHaveLength(1000);
        for (const [i, e] of emails.entries()) {
          const got = await store.emails.get(pid, e.id);
          // Email i gets hits i, i+25, …, i+975: 40 hits, every 4th index a click.
          const mine = hits.filter((h) => h.emailId === e.id);
          expect(got).toMatchObject({
            openCount: mine.filter((h) => h.type === 'opened').length,
            clickCount: mine.filter((h) => h.type === 'clicked').length,
            lastEventAt: T0 + 1000 - i,
          });
          expect(got!.openCount + got!.clickCount).toBe(40);
        }
      });
    });

    describe('journal positions', () => {
      it('moves a journal position with its hits, in one transaction, and never ingests a batch twice', async () => {
        const pid = await project();
        const e = await createEmail(pid);
        const journalId = newId();
        expect(await store.events.journalPosition(journalId)).toEqual(JOURNAL_START);

        await store.events.appendHits([hit(e.id, 'opened', T0 + 1), hit(e.id, 'clicked', T0 + 2)], { journalId, end: { segment: 1, offset: 300 } });
        expect(await store.events.journalPosition(journalId)).toEqual({ segment: 1, offset: 300 });

        // The same batch again (a retry after a lost COMMIT answer), or an older one: nothing is written.
        for (const end of [{ segment: 1, offset: 300 }, { segment: 1, offset: 100 }, { segment: 0, offset: 900 }]) {
          const again = store.events.appendHits([hit(e.id, 'opened', T0 + 3)], { journalId, end });
          await expect(again).rejects.toMatchObject({ name: 'StaleJournalPosition' });
        }
        expect(await allEvents(pid)).toHaveLength(2);
        expect(await store.emails.get(pid, e.id)).toMatchObject({ openCount: 1, clickCount: 1 });
        expect(await store.events.journalPosition(journalId)).toEqual({ segment: 1, offset: 300 });

        // Records that held no hit (corrupt, or for no email) still move it; other journals are apart.
        await store.events.appendHits([], { journalId, end: { segment: 2, offset: 40 } });
        await store.events.appendHits([hit(newId(), 'opened', T0 + 4)], { journalId, end: { segment: 2, offset: 80 } });
        expect(await store.events.journalPosition(journalId)).toEqual({ segment: 2, offset: 80 });
        expect(await store.events.journalPosition(newId())).toEqual(JOURNAL_START);
        expect(await allEvents(pid)).toHaveLength(2);
      });

      it('keeps the position where it was when the batch fails', async () => {
        const pid = await project();
        const ok = await createEmail(pid);
        const poisoned = await createEmail(pid, { subject: FAIL_ON_UPDATE_SUBJECT });
        await options.failEmailUpdates(store);
        const journalId = newId();
        await store.events.appendHits([hit(ok.id, 'opened', T0)], { journalId, end: { segment: 1, offset: 10 } });
        const failing = store.events.appendHits([hit(ok.id, 'opened', T0 + 1), hit(poisoned.id, 'opened', T0 + 2)], { journalId, end: { segment: 1, offset: 30 } });
        await expect(failing).rejects.toThrow();
        expect(await store.events.journalPosition(journalId)).toEqual({ segment: 1, offset: 10 });
        expect(await allEvents(pid)).toHaveLength(1);
      });
    });

    describe('events list', () => {
      it('filters by type, email and time range and pages newest first', async () => {
        const p1 = await project();
        const p2 = await project();
        const a = await createEmail(p1);
        const b = await createEmail(p1);
        const other = await createEmail(p2);
        const hits = [
          hit(a.id, 'opened', T0 + 10),
          hit(a.id, 'clicked', T0 + 20),
          hit(b.id, 'opened', T0 + 30),
          hit(b.id, 'clicked', T0 + 40),
          hit(a.id, 'opened', T0 + 50),
          hit(other.id, 'opened', T0 + 60),
        ];
        await store.events.appendHits(hits);
        const ids = (evs: EmailEvent[]) => evs.map((e) => e.id);
        const mine = hits.slice(0, 5).reverse();

        expect(ids(await store.events.list(p1, { limit: 100 }))).toEqual(hitIds(mine));
        expect(ids(await store.events.list(p1, { limit: 100, type: 'clicked' }))).toEqual(hitIds([hits[3]!, hits[1]!]));
        expect(ids(await store.events.list(p1, { limit: 100, emailId: a.id }))).toEqual(hitIds([hits[4]!, hits[1]!, hits[0]!]));
        expect(ids(await store.events.list(p1, { limit: 100, emailId: a.id, type: 'opened' }))).toEqual(
          hitIds([hits[4]!, hits[0]!]),
        );
        // since inclusive, until exclusive
        expect(ids(await store.events.list(p1, { limit: 100, since: T0 + 20, until: T0 + 40 }))).toEqual(
          hitIds([hits[2]!, hits[1]!]),
        );
        expect(ids(await store.events.list(p1, { limit: 100, emailId: other.id }))).toEqual([]);
        expect(ids(await store.events.list(p2, { limit: 100 }))).toEqual([hits[5]!.id]);
        expect(await store.events.list(p1, { limit: 100, emailId: 'bad' })).toEqual([]);

        const page1 = await store.events.list(p1, { limit: 2 });
        const page2 = await store.events.list(p1, { limit: 2, after: page1[1]!.id });
        const page3 = await store.events.list(p1, { limit: 2, after: page2[1]!.id });
        expect([...ids(page1), ...ids(page2), ...ids(page3)]).toEqual(hitIds(mine));
        expect(page3).toHaveLength(1);

        const typed = await store.events.list(p1, { limit: 1, type: 'opened' });
        expect(ids(await store.events.list(p1, { limit: 5, type: 'opened', after: typed[0]!.id }))).toEqual(
          hitIds([hits[2]!, hits[0]!]),
        );
      });
    });
  });
}

function hitIds(hits: TrackingHit[]): string[] {
  return hits.map((h) => h.id);
}
