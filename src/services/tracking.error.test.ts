import { describe, expect, it } from 'vitest';
import { openStore } from '../adapters/store/open-store.js';
import { encodeToken, parseKeyring } from '../core/tokens/index.js';
import { newId } from '../lib/ids.js';
import { HitRecorder } from './hit-recorder.js';
import { TrackingHostDirectory } from './tracking-hosts.js';
import { type TrackingLogger, TrackingService } from './tracking.js';

const keyring = parseKeyring(`k1:${'s'.repeat(40)}`);
const context = { host: 'links.example.com', ip: '203.0.113.9', userAgent: 'Mozilla/5.0', referer: null, method: 'GET' as const };

function loggerSpy(): TrackingLogger & { messages: string[]; objects: object[] } {
  const messages: string[] = [];
  const objects: object[] = [];
  return { messages, objects, error: (obj, msg) => void (messages.push(msg), objects.push(obj)) };
}

/** A TrackingService over a real store that has been closed: every read and write of it fails. */
async function serviceOverAClosedStore() {
  const store = await openStore('sqlite::memory:');
  await store.migrate();
  const log = loggerSpy();
  const service = new TrackingService(keyring, HitRecorder.direct(store.events), { now: () => Date.now() }, log, new TrackingHostDirectory(store.domains));
  await store.close();
  return { service, log };
}

describe('TrackingService when the store is down', () => {
  it('still redirects a valid click whose host it cannot check, and logs both failures', async () => {
    const { service, log } = await serviceOverAClosedStore();
    const destination = 'https://example.com/pricing?plan=pro';
    // A domain's host id, not in the (unreadable) host table: the service must look it up.
    const token = encodeToken(keyring, { kind: 'click', emailId: newId(), hostId: 7, linkIndex: 0, destination });
    expect(await service.click(token, context)).toBe(destination);
    expect(log.messages).toEqual(['tracking hosts not readable; serving the token unchecked', 'tracking hit not recorded']);
  });

  it('still settles an open, and logs that it was not recorded', async () => {
    const { service, log } = await serviceOverAClosedStore();
    const token = encodeToken(keyring, { kind: 'open', emailId: newId(), hostId: 0 });
    await expect(service.open(token, context)).resolves.toBeUndefined();
    expect(log.messages).toEqual(['tracking hit not recorded']);
  });

  it("logs an aggregate-only hit it could not record without its recipient's user agent", async () => {
    const { service, log } = await serviceOverAClosedStore();
    const cohortId = newId();
    const token = encodeToken(keyring, { kind: 'aggregate_open', cohortId, hostId: 0 });
    await expect(service.open(token, { ...context, userAgent: 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15' })).resolves.toBeUndefined();
    expect(log.messages).toEqual(['tracking hit not recorded']);
    const logged = JSON.stringify((log.objects[0] as { hit: unknown }).hit);
    expect(logged).toContain(cohortId);
    expect(logged).not.toContain('Macintosh');
    expect(logged).not.toContain('203.0.113.9');
  });

  it('refuses a forged token without logging anything', async () => {
    const { service, log } = await serviceOverAClosedStore();
    const token = encodeToken(keyring, { kind: 'click', emailId: newId(), hostId: 0, linkIndex: 0, destination: 'https://example.com/' });
    const forged = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    expect(service.click(forged, context)).toBeNull();
    expect(log.messages).toEqual([]);
  });
});
