import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IpListFileError } from './ip-list-file.js';
import { openMachineIpLists, type MachineIpLists } from './machine-ip-lists.js';

const dirs: string[] = [];
const opened: MachineIpLists[] = [];
afterEach(() => {
  for (const lists of opened.splice(0)) lists.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-ip-lists-'));
  dirs.push(dir);
  return dir;
}

/** Writes a file as `waymark ip-lists refresh` does: a new file renamed over the old one. */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function recordingLogger() {
  const records: Array<{ level: 'info' | 'warn' | 'error'; obj: object; msg: string }> = [];
  const at = (level: 'info' | 'warn' | 'error') => (obj: object, msg: string) => void records.push({ level, obj, msg });
  return { records, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

async function open(...args: Parameters<typeof openMachineIpLists>): Promise<MachineIpLists> {
  const lists = await openMachineIpLists(...args);
  opened.push(lists);
  return lists;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('openMachineIpLists', () => {
  it('loads every file into one matcher, each with its default label', async () => {
    const dir = tempDir();
    const apple = path.join(dir, 'apple.csv');
    const gateway = path.join(dir, 'gateway.txt');
    writeFileSync(apple, '172.224.224.0/27,GB,GB-EN,London,\n2a02:26f7:b3c0:4000::/64,GB,GB-EN,London,\n');
    writeFileSync(gateway, '# label: security_scanner\n192.0.2.0/24\n198.51.100.0/24 proxy:google\n');
    const { logger, records } = recordingLogger();
    const lists = await open([{ path: apple, label: 'apple_mpp' }, { path: gateway, label: null }], { logger });
    expect(lists.size()).toBe(4);
    expect(lists.match('172.224.224.5')).toBe('apple_mpp');
    expect(lists.match('::ffff:172.224.224.5')).toBe('apple_mpp');
    expect(lists.match('2a02:26f7:b3c0:4000::1')).toBe('apple_mpp');
    expect(lists.match('192.0.2.200')).toBe('security_scanner');
    expect(lists.match('198.51.100.1')).toBe('proxy:google');
    expect(lists.match('203.0.113.1')).toBeNull();
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: 'machine IP lists loaded', obj: expect.objectContaining({ files: 2, ranges: 4 }) }));
  });

  it('without files matches nothing', async () => {
    const lists = await open([], { logger: recordingLogger().logger });
    expect(lists.match('192.0.2.1')).toBeNull();
    expect(lists.size()).toBe(0);
    await lists.checkNow();
  });

  it('refuses to start with a file that does not parse, naming the file and line, or that is missing', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.txt');
    const bad = path.join(dir, 'bad.txt');
    writeFileSync(good, '192.0.2.0/24 a\n');
    writeFileSync(bad, '192.0.2.0/24 a\n# fine\n192.0.2.999/24 a\n');
    const logger = recordingLogger().logger;
    await expect(open([{ path: good, label: null }, { path: bad, label: null }], { logger })).rejects.toThrow(IpListFileError);
    await expect(open([{ path: bad, label: null }], { logger })).rejects.toThrow(`machine IP list ${bad}: line 3: "192.0.2.999/24" is not an IP range`);
    await expect(open([{ path: path.join(dir, 'none.txt'), label: null }], { logger })).rejects.toThrow(/none\.txt: cannot be opened \(ENOENT\)/);
    const csv = path.join(dir, 'apple.csv');
    writeFileSync(csv, '172.224.224.0/27,GB,GB-EN,London,\n');
    await expect(open([{ path: csv, label: null }], { logger })).rejects.toThrow(/apple\.csv: line 1: .* has no label/);
  });

  it('picks up a file replaced by rename, and one rewritten in place', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24 first\n');
    const lists = await open([{ path: file, label: null }], { logger: recordingLogger().logger, checkIntervalMs: 60_000 });
    replace(file, '192.0.2.0/24 second\n2001:db8::/32 second\n');
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBe('second');
    expect(lists.size()).toBe(2);
    writeFileSync(file, '198.51.100.0/24 third\n');
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBeNull();
    expect(lists.match('198.51.100.1')).toBe('third');
  });

  it('checks on its own, at the interval', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24 first\n');
    const lists = await open([{ path: file, label: null }], { logger: recordingLogger().logger, checkIntervalMs: 20 });
    replace(file, '192.0.2.0/24 second\n');
    await waitFor(() => lists.match('192.0.2.1') === 'second');
  });

  it('keeps the previous ranges of a file that fails to load after a change, says so once, and loads it once fixed', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    const other = path.join(dir, 'other.txt');
    writeFileSync(file, '192.0.2.0/24 first\n');
    writeFileSync(other, '203.0.113.0/24 other\n');
    const { logger, records } = recordingLogger();
    const lists = await open([{ path: file, label: null }, { path: other, label: null }], { logger });
    replace(file, '192.0.2.0/24 second\nnot-an-ip second\n');
    replace(other, '203.0.113.0/24 other2\n');
    await lists.checkNow();
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBe('first');
    expect(lists.match('203.0.113.1')).toBe('other2');
    const errors = records.filter((r) => r.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/cannot be loaded; its previous ranges stay in use/);
    expect(errors[0]!.obj).toMatchObject({ path: file, error: `machine IP list ${file}: line 2: "not-an-ip" is not an IP range (e.g. 192.0.2.0/24 or 2001:db8::/32)` });

    rmSync(file);
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBe('first');
    expect(records.filter((r) => r.level === 'error')).toHaveLength(2);

    replace(file, '192.0.2.0/24 fixed\n');
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBe('fixed');
  });

  it('gives a range listed by two files the first file’s label, with a warning', async () => {
    const dir = tempDir();
    const a = path.join(dir, 'a.txt');
    const b = path.join(dir, 'b.txt');
    writeFileSync(a, '192.0.2.0/24 from_a\n');
    writeFileSync(b, '192.0.2.0/24 from_b\n192.0.2.128/25 inner_b\n');
    const { logger, records } = recordingLogger();
    const lists = await open([{ path: a, label: null }, { path: b, label: null }], { logger });
    expect(lists.match('192.0.2.1')).toBe('from_a');
    expect(lists.match('192.0.2.129')).toBe('inner_b');
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', obj: { conflicts: 1, examples: ['192.0.2.0/24 from_b'] } }));
  });

  it('stops checking once stopped', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24 first\n');
    const lists = await open([{ path: file, label: null }], { logger: recordingLogger().logger, checkIntervalMs: 10 });
    lists.stop();
    replace(file, '192.0.2.0/24 second\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await lists.checkNow();
    expect(lists.match('192.0.2.1')).toBe('first');
  });

  it('keeps no process alive', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    writeFileSync(file, '192.0.2.0/24 a\n');
    const module = path.join(import.meta.dirname, 'machine-ip-lists.ts');
    const script = `const { openMachineIpLists } = await import(${JSON.stringify(module)});
      const quiet = { info() {}, warn() {}, error() {} };
      const lists = await openMachineIpLists([{ path: ${JSON.stringify(file)}, label: null }], { logger: quiet, checkIntervalMs: 50 });
      console.log(lists.match('192.0.2.1'));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the process did not exit: ${out}`));
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out).toBe('a\n');
    expect(code).toBe(0);
  });
});
