/**
 * A real authoritative DNS server for tests: Knot DNS (`knotd`, Debian package `knot`) run as a
 * child process on 127.0.0.1 with a port of its own, serving one zone file that `setRecords`
 * rewrites.
 *
 * Why Knot: it runs in the foreground from one small config file, with no chroot, no user switch
 * and no control-key setup (nsd's nsd-control needs keys made first, else it is SIGHUP and file
 * mtimes; named needs much more config; dnsmasq is above all a forwarder). Only Knot was tried and
 * measured. `knotc -b zone-reload` reloads one zone synchronously without checking mtimes, and
 * exits non-zero when the new file does not load, so a bad zone fails `setRecords` with Knot's own
 * message instead of hanging. It answers as a real authority does: NXDOMAIN for a missing name,
 * NOERROR with an empty answer for a name without the type, SERVFAIL for a configured zone whose
 * file did not load (SERVFAIL_ZONE), REFUSED for a name in no zone it serves.
 *
 * Measured here (2 cores): start to first SOA answer ~20 ms; setRecords (write the file,
 * `knotc -b zone-reload`, poll until the new serial is served) ~10 ms, 13.5 ms at worst over 40
 * reloads; SIGHUP was as fast (~10 ms) but reloads by file mtime, so knotc it is.
 *
 * Ports: Knot binds UDP with SO_REUSEPORT but TCP without, so a second server on a taken port
 * fails to start (TCP bind) instead of silently sharing it; startup retries with another port.
 * The child gets a parent-death signal (util-linux `setpriv --pdeathsig KILL`), and is killed (and
 * its work dir removed) on this process's exit too, so a crashed test leaves no stray server; only
 * a SIGKILLed test process leaves its mkdtemp dir behind.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ZoneRecord {
  /** Absolute, without the trailing dot: 'links.example.test'. */
  name: string;
  type: 'A' | 'TXT' | 'CNAME' | 'MX' | 'CAA';
  /**
   * Presentation form, except TXT. TXT: the raw text (quoted, escaped and split into <=255-byte
   * strings here). MX: '10 mx.waymark.test'. CNAME: 'track.waymark.test'. CAA: '0 issue "letsencrypt.org"'.
   * A: '192.0.2.1'. Target names are absolute; the trailing dot is added here.
   */
  value: string;
  ttl?: number;
}

export interface TestDnsServer {
  /** 'host:port', ready for NodeDnsResolver({ servers: [address] }) */
  readonly address: string;
  /** The zone served, without the trailing dot. */
  readonly zone: string;
  /** Replaces the zone's records (SOA/NS kept), reloads, and resolves only once the server answers with the new serial. */
  setRecords(records: ZoneRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/** A zone the server is configured for but whose file never loads: any query in it gets SERVFAIL. */
export const SERVFAIL_ZONE = 'servfail.invalid';

/** The apex NS host; it has an A record, so this name exists in every zone served. */
const NS_LABEL = 'ns';

/** Servers not stopped yet, each with its work dir: killed and removed when this process exits. */
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;
function track(child: ChildProcess, dir: string): void {
  live.set(child, dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, d] of live) {
        c.kill('SIGKILL');
        rmSync(d, { recursive: true, force: true });
      }
    });
  }
}

function findBinary(name: string): string {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '';
}

function requireBinary(name: string): string {
  const found = findBinary(name);
  if (!found) {
    throw new Error(
      `${name} not found: the DNS tests run a real Knot DNS server; install it with ` +
        '`apt-get install -y --no-install-recommends knot` (Debian package "knot", which also provides knotc)',
    );
  }
  return found;
}

/** A port free for both UDP and TCP on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
  throw new Error('could not find a port free for both UDP and TCP on 127.0.0.1');
}

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** TXT raw text as zone-file character-strings: UTF-8 bytes, <=255 per string, escaped. */
function txtStrings(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return '""';
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += 255) {
    let s = '"';
    for (const b of bytes.subarray(start, start + 255)) {
      if (b === 0x22) s += '\\"';
      else if (b === 0x5c) s += '\\\\';
      else if (b >= 0x20 && b <= 0x7e) s += String.fromCharCode(b);
      else s += '\\' + String(b).padStart(3, '0');
    }
    parts.push(s + '"');
  }
  return parts.join(' ');
}

function rdata(record: ZoneRecord): string {
  switch (record.type) {
    case 'TXT':
      return txtStrings(record.value);
    case 'CNAME':
      return absolute(record.value.trim());
    case 'MX': {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(record.value);
      if (!m) throw new Error(`MX value must be 'PRIORITY EXCHANGE', got ${JSON.stringify(record.value)}`);
      return `${m[1]} ${absolute(m[2]!)}`;
    }
    case 'A':
    case 'CAA':
      return record.value.trim();
    default:
      throw new Error(`unsupported record type ${(record as ZoneRecord).type}`);
  }
}

function zoneFile(zone: string, serial: number, records: ZoneRecord[]): string {
  const apex = `${zone}.`;
  const lines = [
    `$ORIGIN ${apex}`,
    '$TTL 1',
    `${apex} 1 SOA ${NS_LABEL}.${apex} hostmaster.${apex} ${serial} 3600 600 86400 1`,
    `${apex} 1 NS ${NS_LABEL}.${apex}`,
    `${NS_LABEL}.${apex} 1 A 127.0.0.1`,
  ];
  const cnameOwners = new Set<string>();
  const owners = new Map<string, number>();
  for (const record of records) {
    const name = trimDot(record.name).toLowerCase();
    if (name !== zone && !name.endsWith(`.${zone}`)) {
      throw new Error(`record ${record.name} is not in the zone ${zone}`);
    }
    if (/[\r\n]/.test(record.value) || /[\s;()"]/.test(record.name)) {
      throw new Error(`record ${JSON.stringify(record)} would not fit on one zone-file line`);
    }
    if (record.type === 'CNAME') {
      if (name === zone) throw new Error(`a CNAME cannot sit at the zone apex ${zone}`);
      if (cnameOwners.has(name)) throw new Error(`two CNAMEs at ${name}`);
      cnameOwners.add(name);
    }
    owners.set(name, (owners.get(name) ?? 0) + 1);
    const ttl = record.ttl ?? 1;
    lines.push(`${name}. ${ttl} ${record.type} ${rdata(record)}`);
  }
  for (const name of cnameOwners) {
    if ((owners.get(name) ?? 0) > 1 || name === `${NS_LABEL}.${zone}`) {
      throw new Error(`${name} has a CNAME and other records`);
    }
  }
  return lines.join('\n') + '\n';
}

function knotConfig(dir: string, port: number, zone: string): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'server:',
    `    rundir: ${q(dir)}`,
    `    listen: 127.0.0.1@${port}`,
    '    udp-workers: 1',
    '    tcp-workers: 1',
    '    background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `    storage: ${q(path.join(dir, 'db'))}`,
    'control:',
    `    listen: ${q(path.join(dir, 'knot.sock'))}`,
    'template:',
    '  - id: default',
    `    storage: ${q(dir)}`,
    '    file: "%s.zone"',
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    '    semantic-checks: off',
    'zone:',
    `  - domain: ${zone}`,
    // No file is ever written for this one: Knot keeps it configured but unloaded → SERVFAIL.
    `  - domain: ${SERVFAIL_ZONE}`,
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDnsServer(options: { zone?: string; records?: ZoneRecord[] } = {}): Promise<TestDnsServer> {
  const knotd = requireBinary('knotd');
  const knotc = requireBinary('knotc');
  const setpriv = findBinary('setpriv');
  const zone = trimDot(options.zone ?? 'test').toLowerCase();
  if (zone === SERVFAIL_ZONE || zone.endsWith(`.${SERVFAIL_ZONE}`) || SERVFAIL_ZONE.endsWith(`.${zone}`)) {
    throw new Error(`zone ${zone} overlaps ${SERVFAIL_ZONE}`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-dns-'));
  const zonePath = path.join(dir, `${zone}.zone`);
  const socketPath = path.join(dir, 'knot.sock');
  let serial = 1;
  try {
    writeFileSync(zonePath, zoneFile(zone, serial, options.records ?? []));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(path.join(dir, 'knot.conf'), knotConfig(dir, port, zone));
    const args = ['-c', path.join(dir, 'knot.conf')];
    const child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', knotd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(knotd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child, dir);
    let log = '';
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-16_384);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const state: { exited: string | null } = { exited: null };
    // 'close', not 'exit': by then all of knotd's output has been read (the bind error, say).
    child.once('close', (code, signal) => {
      state.exited ??= `knotd exited (${signal ?? code})`;
    });
    child.once('error', (err) => {
      state.exited = `knotd could not be started: ${err.message}`;
    });

    const address = `127.0.0.1:${port}`;
    const probe = new Resolver({ timeout: 200, tries: 1 });
    probe.setServers([address]);
    const waitForSerial = async (want: number, timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      let seen = 'no answer';
      while (Date.now() < deadline) {
        if (state.exited) throw new Error(`${state.exited}:\n${log}`);
        try {
          const soa = await probe.resolveSoa(zone);
          if (soa.serial === want) return;
          seen = `serial ${soa.serial}`;
        } catch (err) {
          seen = (err as { code?: string }).code ?? String(err);
        }
        await sleep(5);
      }
      throw new Error(`the DNS server on ${address} did not answer with serial ${want} in ${timeoutMs} ms (last: ${seen}):\n${log}`);
    };

    try {
      await waitForSerial(serial, 10_000);
    } catch (err) {
      lastError = (err as Error).message;
      child.kill('SIGKILL');
      live.delete(child);
      if (state.exited && /address already in use|cannot bind/i.test(log)) continue; // port taken meanwhile: try another
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }

    let stopped: Promise<void> | null = null;
    let queue: Promise<unknown> = Promise.resolve();
    const reload = async (records: ZoneRecord[]): Promise<void> => {
      if (stopped) throw new Error('the DNS server is stopped');
      const next = serial + 1;
      writeFileSync(zonePath, zoneFile(zone, next, records));
      await new Promise<void>((resolve, reject) => {
        execFile(knotc, ['-s', socketPath, '-b', '-t', '10', 'zone-reload', zone], (err, stdout, stderr) => {
          if (err) reject(new Error(`knotc zone-reload failed (${stdout}${stderr}):\n${log.split('\n').slice(-10).join('\n')}`));
          else resolve();
        });
      });
      serial = next;
      await waitForSerial(serial, 5_000);
    };
    return {
      address,
      zone,
      setRecords(records: ZoneRecord[]): Promise<void> {
        const done = queue.then(() => reload(records));
        queue = done.catch(() => undefined);
        return done;
      },
      stop(): Promise<void> {
        stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
            await gone;
            clearTimeout(timer);
          }
          live.delete(child);
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`could not start the DNS server after 5 ports:\n${lastError}`);
}

/** A UDP socket on 127.0.0.1 that reads queries and never answers: for timeouts. */
export async function startSilentUdpServer(): Promise<{ address: string; stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => {
    // swallow
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  let closed: Promise<void> | null = null;
  return {
    address: `127.0.0.1:${port}`,
    stop() {
      closed ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closed;
    },
  };
}
