import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../adapters/store/index.js';
import type { Domain } from '../core/model.js';
import { newId } from '../lib/ids.js';
import type { Store } from '../ports/store.js';
import { ensureDefaultProject } from './projects.js';
import { TrackingHostDirectory, requestHostname } from './tracking-hosts.js';

const T0 = 1_780_000_000_000;

/** Two nodes' routing tables over one real SQLite store. */
describe('the tracking-host routing table', () => {
  let dir: string;
  let store: Store;
  let projectId: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'waymark-hosts-'));
    store = await openStore(`sqlite:${path.join(dir, 'w.db')}`);
    await store.migrate();
    projectId = (await ensureDefaultProject(store, { now: () => T0 })).id;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hostFor(name: string, verified: boolean): Promise<{ domain: Domain; hostId: number }> {
    const created = await store.domains.create({
      id: newId(),
      projectId,
      name,
      returnPath: 'send',
      trapLink: false,
      aggregateOnly: false,
      openTracking: true,
      clickTracking: true,
      tls: 'opportunistic',
      dkimSelector: 'wm1',
      dkimPublicKey: 'K',
      dkimPrivateKeySealed: 'sealed',
      status: 'not_started',
      records: [],
      verificationStartedAt: null,
      lastCheckedAt: null,
      nextCheckAt: null,
      createdAt: T0,
    });
    if (created.outcome !== 'created') throw new Error('not created');
    let domain = (await store.domains.save({ ...created.domain, trackingSubdomain: 'links' }, { newHost: { hostname: `links.${name}`, status: 'pending', createdAt: T0 } }))!;
    const hostId = domain.hosts[0]!.id;
    if (verified) domain = (await store.domains.save(domain, { hostUpdates: [{ id: hostId, status: 'verified', verifiedAt: T0 }] }))!;
    return { domain, hostId };
  }

  it('serves a host verified on another node as soon as a signed token for it arrives', async () => {
    const nodeA = new TrackingHostDirectory(store.domains);
    await nodeA.refresh();
    const { hostId } = await hostFor('a.example.test', true); // verified "elsewhere", after A loaded
    await expect(Promise.resolve(nodeA.allows(hostId, 'links.a.example.test'))).resolves.toBe(true);
    expect(nodeA.allows(hostId, 'links.a.example.test')).toBe(true); // from memory now
  });

  it('refuses a token on another host, a default-host token on a tracking host, and every token on a deleted one', async () => {
    const a = await hostFor('a.example.test', true);
    const b = await hostFor('b.example.test', true);
    const table = new TrackingHostDirectory(store.domains);
    await table.refresh();
    expect(await table.allows(a.hostId, 'links.b.example.test')).toBe(false);
    expect(await table.allows(0, 'links.a.example.test')).toBe(false);
    expect(await table.allows(0, 'track.waymark.test')).toBe(true);
    await store.domains.delete(projectId, b.domain.id, T0);
    await table.refresh();
    expect(await table.allows(b.hostId, 'links.b.example.test')).toBe(false);
    expect(await table.allows(0, 'links.b.example.test')).toBe(false);
  });

  it('a refresh after a write sees it, even while an older read is in flight', async () => {
    const table = new TrackingHostDirectory(store.domains);
    const stale = table.refresh(); // started before the host exists
    const { hostId } = await hostFor('c.example.test', true);
    await Promise.all([stale, table.refresh()]);
    expect(table.allows(hostId, 'links.c.example.test')).toBe(true);
  });

  it('rereads at most once a second for tokens whose host it does not know, and shares the reread', async () => {
    const table = new TrackingHostDirectory(store.domains);
    await table.refresh();
    const reads = vi.spyOn(store.domains, 'allHosts');
    const started = performance.now();
    const unknown = await Promise.all(Array.from({ length: 20 }, () => table.allows(12345, 'links.nowhere.test')));
    expect(unknown.every((ok) => ok === false)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('answers the TLS check for served hosts, the always-served names, and nothing else', async () => {
    await hostFor('d.example.test', true);
    await hostFor('e.example.test', false);
    const table = new TrackingHostDirectory(store.domains, ['track.waymark.test']);
    expect(await table.serves('links.d.example.test')).toBe(true);
    expect(await table.serves('links.e.example.test')).toBe(false);
    expect(await table.serves('track.waymark.test')).toBe(true);
    expect(await table.serves('example.com')).toBe(false);
  });

  it.each([
    ['links.Example.COM', 'links.example.com'],
    ['links.example.com:443', 'links.example.com'],
    ['links.example.com.', 'links.example.com'],
    ['[::1]:8080', '[::1]'],
    ['', null],
    [undefined, null],
  ])('reads the Host header %j as %j', (header, host) => {
    expect(requestHostname(header)).toBe(host);
  });
});
