import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeToken, parseKeyring } from '../../src/core/tokens/index.js';
import { runCli, startChildServer, waitForExit } from '../support/child-server.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('waymark CLI', () => {
  it('keys create prints the new key and nothing else', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    const res = await runCli(['keys', 'create', '--name', 'ci', '--role', 'admin'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^wm_[A-Za-z0-9_-]{32}\n$/);
  });

  it('projects create prints the id, and keys create --project uses it', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    const project = await runCli(['projects', 'create', 'Marketing'], env);
    expect(project.code).toBe(0);
    expect(project.stdout.trim()).toMatch(UUID);
    const key = await runCli(['keys', 'create', '--project', project.stdout.trim()], env);
    expect(key.code).toBe(0);
    const unknown = await runCli(['keys', 'create', '--project', '0190c3a0-0000-7000-8000-000000000000'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no project with id/);
    expect(unknown.stdout).toBe('');
  });

  it('migrate applies the migrations', async () => {
    const dir = dataDir();
    const res = await runCli(['migrate'], { WAYMARK_DATA_DIR: dir });
    expect(res.code).toBe(0);
    expect(statSync(path.join(dir, 'waymark.db')).size).toBeGreaterThan(0);
  });

  it.each([
    ['a database URL of another kind', { WAYMARK_DATABASE_URL: 'mysql://localhost/x' }, /WAYMARK_DATABASE_URL/],
    ['a short secret', { WAYMARK_SECRET: 'tooshort' }, /at least 32/],
    ['a bad public URL', { WAYMARK_PUBLIC_URL: 'ftp://x' }, /WAYMARK_PUBLIC_URL/],
    ['a bad port', { PORT: '99999' }, /port/],
    ['PostgreSQL without a shared secret', { WAYMARK_DATABASE_URL: 'postgres://127.0.0.1/none' }, /WAYMARK_SECRET is required/],
  ])('start fails clearly with %s', async (_name, env, message) => {
    const res = await runCli(['start'], { WAYMARK_DATA_DIR: dataDir(), ...env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/configuration error/);
    expect(res.stderr).toMatch(message);
  });

  it.each([
    ['migrate', ['migrate']],
    ['keys create', ['keys', 'create']],
    ['projects create', ['projects', 'create', 'X']],
    ['instrument', ['instrument']],
  ])('%s fails clearly with a malformed secret or trusted proxy, and writes nothing', async (_name, args) => {
    for (const [env, message] of [
      [{ WAYMARK_SECRET: 'tooshort' }, /WAYMARK_SECRET.*at least 32/],
      [{ WAYMARK_TRUSTED_PROXIES: '10.0.0.0/8,not-an-ip' }, /WAYMARK_TRUSTED_PROXIES/],
    ] as const) {
      const dir = dataDir();
      const res = await runCli(args, { WAYMARK_DATA_DIR: dir, ...env });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/configuration error/);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
      expect(() => statSync(path.join(dir, 'waymark.db'))).toThrow();
    }
  });

  it('start creates the data directory, a secret and an admin key on first start only', async () => {
    const dir = path.join(dataDir(), 'nested');
    const first = await startChildServer({ WAYMARK_DATA_DIR: dir });
    expect(first.adminKey).toMatch(/^wm_/);
    expect(statSync(path.join(dir, 'secret')).mode & 0o777).toBe(0o600);
    const res = await fetch(`${first.baseUrl}/v1/emails`, { headers: { authorization: `Bearer ${first.adminKey}` } });
    expect(res.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await waitForExit(first.child)).toBe(0);

    const second = await startChildServer({ WAYMARK_DATA_DIR: dir });
    expect(second.adminKey).toBeNull();
    expect(second.output()).not.toMatch(/Admin API key/);
    second.child.kill('SIGTERM');
    await waitForExit(second.child);
  });

  it('instrument tracks HTML from stdin with the configured secret', async () => {
    const secret = 'cli:' + 'z'.repeat(40);
    const html = '<html><body><a href="https://example.com/x">X</a></body></html>';
    const emailId = '0190c3a0-0000-7000-8000-000000000001';
    const res = await runCli(['instrument', '--email-id', emailId, '--tracking-url', 'https://t.example'], { WAYMARK_SECRET: secret, WAYMARK_DATA_DIR: dataDir() }, html);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const token = /href="https:\/\/t\.example\/v1\/track\/click\/([A-Za-z0-9_-]+)"/.exec(res.stdout)![1]!;
    expect(decodeToken(parseKeyring(secret), token)).toMatchObject({ emailId, destination: 'https://example.com/x' });
    expect(res.stdout).toMatch(/<img src="https:\/\/t\.example\/v1\/track\/open\/[A-Za-z0-9_-]+"[^>]*><\/body>/);
  });

  it('instrument --no-open --text rewrites only the URLs of a text part', async () => {
    const res = await runCli(['instrument', '--text', '--tracking-url', 'https://t.example'], { WAYMARK_SECRET: 'z'.repeat(40), WAYMARK_DATA_DIR: dataDir() }, 'See https://example.com/a.\n');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^See https:\/\/t\.example\/v1\/track\/click\/[A-Za-z0-9_-]+\.\n$/);
  });

  it('instrument warns and uses a throwaway key when no secret exists yet', async () => {
    const res = await runCli(['instrument', '--no-open'], { WAYMARK_DATA_DIR: dataDir() }, '<a href="https://example.com/">x</a>');
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/throwaway key/);
    expect(res.stdout).toMatch(/^<a href="http:\/\/localhost:3000\/v1\/track\/click\/[^"]+">x<\/a>$/);
  });

  it('instrument keeps a byte-order mark and refuses input that is not UTF-8, rather than change its bytes', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir(), WAYMARK_SECRET: 'cli:' + 'c'.repeat(40) };
    const bom = await runCli(['instrument', '--no-click'], env, '\uFEFF<p>café</p>');
    expect(bom.code).toBe(0);
    expect(bom.stdout.startsWith('\uFEFF<p>café</p>')).toBe(true);
    const latin1 = await runCli(['instrument'], env, Buffer.from('<p>caf\xe9</p>', 'latin1'));
    expect(latin1.code).toBe(1);
    expect(latin1.stderr).toMatch(/not valid UTF-8/);
    expect(latin1.stdout).toBe('');
  });

  it('instrument refuses a malformed --email-id', async () => {
    const res = await runCli(['instrument', '--email-id', 'nope'], { WAYMARK_SECRET: 'z'.repeat(40) }, '<a href="https://e.com">x</a>');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/--email-id must be a UUID/);
  });
});

