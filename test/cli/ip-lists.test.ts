import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { openMachineIpLists } from '../../src/adapters/ip-lists/machine-ip-lists.js';
import { runCli } from '../support/child-server.js';

const APPLE = ['172.224.224.0/27,GB,GB-EN,London,', '172.224.226.0/27,GB,GB-EN,London,', '2a02:26f7:b3c0:4000::/64,GB,GB-EN,London,', ''].join('\n');
const OLD_LIST = '# an earlier list\n192.0.2.0/24 apple_mpp\n';

/** What the list server answers, by path; a test may change it. */
const routes = new Map<string, { status: number; body: string | Buffer }>();
let server: Server;
let base: string;
/** A port nothing listens on. */
let closedPort: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    const route = routes.get(req.url ?? '') ?? { status: 404, body: 'not found' };
    res.writeHead(route.status, { 'content-type': 'text/csv' });
    res.end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closedPort = (gone.address() as AddressInfo).port;
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A directory holding an earlier list, list.txt. */
function listDir(): { dir: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-ip-lists-'));
  dirs.push(dir);
  const out = path.join(dir, 'list.txt');
  writeFileSync(out, OLD_LIST);
  return { dir, out };
}

function expectUntouched(expect: ExpectStatic, dir: string, out: string, inode: number): void {
  expect(readFileSync(out, 'utf8')).toBe(OLD_LIST);
  expect(statSync(out).ino).toBe(inode);
  expect(readdirSync(dir)).toEqual(['list.txt']);
}

describe('waymark ip-lists refresh', () => {
  it("downloads Apple's CSV and writes it in our own format, with a header, atomically", async () => {
    routes.set('/egress-ip-ranges.csv', { status: 200, body: APPLE });
    const { dir, out } = listDir();
    const before = Date.now();
    const res = await runCli(['ip-lists', 'refresh', '--url', `${base}/egress-ip-ranges.csv`, '--out', out, '--label', 'apple_mpp'], {});
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`wrote 3 ranges to ${out} (apple_mpp: 3)\n`);
    const text = readFileSync(out, 'utf8');
    const lines = text.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      '# Waymark machine IP list, written by `waymark ip-lists refresh`; the next refresh replaces it.',
      `# source: ${base}/egress-ip-ranges.csv`,
      '# format: apple-csv',
      expect.stringMatching(/^# fetched: \d{4}-\d\d-\d\dT[\d:.]+Z$/),
      '# label: apple_mpp',
      '# ranges: 3',
      '172.224.224.0/27 apple_mpp',
    ]);
    expect(Date.parse(lines[3]!.slice('# fetched: '.length))).toBeGreaterThanOrEqual(before - 1000);
    expect(lines.slice(7)).toEqual(['172.224.226.0/27 apple_mpp', '2a02:26f7:b3c0:4000::/64 apple_mpp', '']);
    expect(readdirSync(dir)).toEqual(['list.txt']);

    const check = await runCli(['ip-lists', 'check', out], {});
    expect(check.code).toBe(0);
    expect(check.stdout.split('\n')[0]).toMatch(/^FILE\s+FORMAT\s+LABEL\s+RANGES$/);
    expect(check.stdout.split('\n')[1]).toMatch(new RegExp(`^${out}\\s+waymark\\s+apple_mpp\\s+3$`));
  });

  // Each case has its own route and directory, so they run side by side: each is a child process.
  it.concurrent.for([
    ['a failing download', '/fail', { status: 500, body: 'oops' }, [], /GET http:\/\/127\.0\.0\.1:\d+\/fail: HTTP 500 Internal Server Error; .*list\.txt is left as it was/],
    ['an unparsable body', '/garbage', { status: 200, body: '172.224.224.0/27,GB,GB-EN,London,\n<html>,not,a,list\n' }, ['--label', 'apple_mpp'], /the list at .*\/garbage does not parse: line 2: "<html>" is not an IP range .*; .*list\.txt is left as it was/],
    ['a list without labels', '/apple', { status: 200, body: APPLE }, [], /does not parse: line 1: 172\.224\.224\.0\/27 has no label: give the file a label \(path=label, or --label\)/],
    ['an empty list', '/empty', { status: 200, body: '# no ranges today\n' }, [], /the list at .*\/empty has no ranges; .*list\.txt is left as it was/],
    ['a download over --max-bytes', '/big', { status: 200, body: APPLE.repeat(10) }, ['--label', 'apple_mpp', '--max-bytes', '100'], /the body is over 100 bytes \(--max-bytes\)/],
    ['an answer not UTF-8', '/latin1', { status: 200, body: Buffer.from('# caf\xe9\n192.0.2.0/24 x\n', 'latin1') }, [], /the body is not UTF-8 text/],
    ['a server that never answers', '/hang', { status: 200, body: '' }, ['--timeout', '0.5'], /GET .*\/hang: no complete answer within 0\.5 s; .*list\.txt is left as it was/],
    ['a server that is not there', 'closed', { status: 200, body: '' }, [], /GET http:\/\/127\.0\.0\.1:\d+\/list: fetch failed: .*ECONNREFUSED/],
    ['a bad label', '/apple', { status: 200, body: APPLE }, ['--label', 'Apple MPP'], /--label must be 1 to 64 of/],
    ['a bad format', '/apple', { status: 200, body: APPLE }, ['--format', 'json'], /--format.*json.*is invalid/],
  ] as const)('fails clearly on %s and leaves the old list untouched', async ([, route, answer, args, message], { expect }) => {
    const url = route === 'closed' ? `http://127.0.0.1:${closedPort}/list` : `${base}${route}`;
    routes.set(route, answer);
    const { dir, out } = listDir();
    const inode = statSync(out).ino;
    const res = await runCli(['ip-lists', 'refresh', '--url', url, '--out', out, ...args], {});
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(message);
    expectUntouched(expect, dir, out, inode);
  });

  it('is picked up by a running server, and a failed refresh changes nothing for it', async () => {
    const { out } = listDir();
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const lists = await openMachineIpLists([{ path: out, label: null }], { logger: quiet, checkIntervalMs: 25 });
    try {
      expect(lists.match('192.0.2.1')).toBe('apple_mpp');
      expect(lists.match('::ffff:172.224.224.1')).toBeNull();
      routes.set('/changing.csv', { status: 200, body: APPLE });
      const res = await runCli(['ip-lists', 'refresh', '--url', `${base}/changing.csv`, '--out', out, '--label', 'apple_mpp'], {});
      expect(res.code).toBe(0);
      const deadline = Date.now() + 5_000;
      while (lists.match('::ffff:172.224.224.1') === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lists.match('::ffff:172.224.224.1')).toBe('apple_mpp');
      expect(lists.match('2a02:26f7:b3c0:4000:1::')).toBe('apple_mpp');
      expect(lists.match('192.0.2.1')).toBeNull();
      expect(lists.size()).toBe(3);

      routes.set('/changing.csv', { status: 500, body: '' });
      const failed = await runCli(['ip-lists', 'refresh', '--url', `${base}/changing.csv`, '--out', out, '--label', 'apple_mpp'], {});
      expect(failed.code).not.toBe(0);
      await lists.checkNow();
      expect(lists.match('::ffff:172.224.224.1')).toBe('apple_mpp');
      expect(lists.size()).toBe(3);
    } finally {
      lists.stop();
    }
  });
});

describe('waymark ip-lists check', () => {
  it('prints the ranges per label of every file, names a bad file and its line, and exits 1', async () => {
    const { dir, out } = listDir();
    const gateway = path.join(dir, 'gateway.txt');
    const apple = path.join(dir, 'apple.csv');
    const bad = path.join(dir, 'bad.txt');
    writeFileSync(gateway, '# label: security_scanner\n198.51.100.0/24\n203.0.113.0/24\n2001:db8::/32 proxy:google\n');
    writeFileSync(apple, APPLE);
    writeFileSync(bad, '192.0.2.0/24 ok\n192.0.2.0/33 ok\n');
    const res = await runCli(['ip-lists', 'check', out, gateway, `${apple}=apple_mpp`, bad], {});
    expect(res.code).toBe(1);
    const rows = res.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ['FILE', 'FORMAT', 'LABEL', 'RANGES'],
      [out, 'waymark', 'apple_mpp', '1'],
      [gateway, 'waymark', 'proxy:google', '1'],
      [gateway, 'waymark', 'security_scanner', '2'],
      [apple, 'apple-csv', 'apple_mpp', '3'],
    ]);
    expect(res.stderr).toContain(`machine IP list ${bad}: line 2: "192.0.2.0/33": the prefix length is over 32`);
    expect(res.stderr).toMatch(/1 of 4 list files do not load/);
  });

  it('checks the files of WAYMARK_MACHINE_IP_LISTS when given none, and says when there are none', async () => {
    const { dir, out } = listDir();
    const apple = path.join(dir, 'apple.csv');
    writeFileSync(apple, APPLE);
    const res = await runCli(['ip-lists', 'check'], { WAYMARK_MACHINE_IP_LISTS: `${out},${apple}=apple_mpp` });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`${apple}\\s+apple-csv\\s+apple_mpp\\s+3`));
    const none = await runCli(['ip-lists', 'check'], { WAYMARK_MACHINE_IP_LISTS: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no list files: name some, or set WAYMARK_MACHINE_IP_LISTS/);
    const badConfig = await runCli(['ip-lists', 'check'], { WAYMARK_MACHINE_IP_LISTS: `${apple}=Apple` });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/configuration error: WAYMARK_MACHINE_IP_LISTS/);
  });
});
