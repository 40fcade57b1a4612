import http from 'node:http';
import { type RunningWaymark, startWaymark } from './in-process.js';
import { type TestDnsServer, type ZoneRecord, startDnsServer } from './dns-server.js';

/** The default tracking host of the test servers, and so the tracking CNAME's target. */
export const CNAME_TARGET = 'track.waymark.test';
export const T0 = 1_780_000_000_000;
export { HOUR_MS as HOUR } from '../../src/core/time.js';

export interface DomainsHarness {
  s: RunningWaymark;
  dns: TestDnsServer;
  clock: { now(): number; set(t: number): void; advance(ms: number): void };
  stop(): Promise<void>;
}

/** A Waymark whose domain checks ask a real Knot server, on an injected clock. */
export async function startDomainsHarness(backend: 'sqlite' | 'postgres' = 'sqlite', env: Record<string, string> = {}): Promise<DomainsHarness> {
  const dns = await startDnsServer({ records: [{ name: CNAME_TARGET, type: 'A', value: '192.0.2.10' }] });
  let t = T0;
  const clock = { now: () => t, set: (v: number) => void (t = v), advance: (ms: number) => void (t += ms) };
  const s = await startWaymark({
    backend,
    clock,
    env: { WAYMARK_DNS_SERVERS: dns.address, WAYMARK_TRACKING_URL: `http://${CNAME_TARGET}`, ...env },
  });
  // Tests run the checks themselves (domains.checkDue), so that no pass lands between two steps.
  await s.waymark.domainChecks.stop();
  return {
    s,
    dns,
    clock,
    async stop() {
      await s.stop();
      await dns.stop();
    },
  };
}

/** The zone records that satisfy every record a domain lists (DMARC and CAA excepted), plus the CNAME target. */
export function zoneFor(domain: { records: Array<{ record: string; type: string; name: string; value: string; priority?: number }> }): ZoneRecord[] {
  const zone: ZoneRecord[] = [{ name: CNAME_TARGET, type: 'A', value: '192.0.2.10' }];
  for (const r of domain.records) {
    if (r.record === 'DMARC' || r.record === 'CAA') continue;
    zone.push({ name: r.name, type: r.type as ZoneRecord['type'], value: r.type === 'MX' ? `${r.priority} ${r.value}` : r.value });
  }
  return zone;
}

/** A GET to the test server as if sent to `host` (the Host header a mail client would send). */
export function getOnHost(s: RunningWaymark, url: string, host?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const u = new URL(url);
  const server = new URL(s.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: server.hostname, port: server.port, path: u.pathname + u.search, method: 'GET', headers: { host: host ?? u.host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function trackingUrls(html: string): { clicks: string[]; pixel: string | null } {
  return {
    clicks: [...html.matchAll(/href="(https?:\/\/[^"]+\/v1\/track\/click\/[^"]+)"/g)].map((m) => m[1]!),
    pixel: /src="(https?:\/\/[^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)?.[1] ?? null,
  };
}
