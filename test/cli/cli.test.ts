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

  it('start prints the first admin key on stderr only, never in a log record, and warns about unreachable DNS targets', async () => {
    const dir = dataDir();
    const first = await startChildServer({ WAYMARK_DATA_DIR: dir, WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' });
    try {
      expect(first.adminKey).toMatch(/^wm_/);
      expect(first.stderr()).toContain(first.adminKey!);
      const lines = first.stdout().split('\n').filter(Boolean);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(first.stdout()).not.toContain(first.adminKey!);
      const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
      const warnings = records.filter((r) => r.level === 40).map((r) => r.msg);
      expect(warnings).toContainEqual(expect.stringMatching(/WAYMARK_WEBHOOK_ALLOW_PRIVATE=1/));
      expect(warnings).toContainEqual(expect.stringMatching(/tracking CNAME points at "localhost".*WAYMARK_TRACKING_URL/));
    } finally {
      first.child.kill('SIGTERM');
      await waitForExit(first.child);
    }
    const quiet = await startChildServer({ WAYMARK_DATA_DIR: dir, WAYMARK_TRACKING_URL: 'https://links.example.com' });
    try {
      expect(quiet.output()).not.toMatch(/"level":40/);
    } finally {
      quiet.child.kill('SIGTERM');
      await waitForExit(quiet.child);
    }
  });

  it('keys list, keys revoke and projects list', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    const admin = (await runCli(['keys', 'create', '--name', 'ops', '--role', 'admin'], env)).stdout.trim();
    const sender = (await runCli(['keys', 'create', '--name', 'app', '--role', 'sending', '--expires', '2099-01-01T00:00:00Z'], env)).stdout.trim();
    const listed = await runCli(['keys', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout) as Array<{ id: string; name: string; role: string; prefix: string; expires_at: string | null }>;
    expect(keys.map((k) => [k.name, k.role, k.expires_at])).toEqual([
      ['app', 'sending', '2099-01-01T00:00:00.000Z'],
      ['ops', 'admin', null],
    ]);
    expect(listed.stdout).not.toContain(admin);
    expect(listed.stdout).not.toContain(sender);
    const table = await runCli(['keys', 'list'], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ROLE\s+PREFIX\s+CREATED\s+LAST USED\s+EXPIRES$/);
    expect(table.stdout).toContain(keys[0]!.id);

    const appKey = keys.find((k) => k.name === 'app')!;
    const revoked = await runCli(['keys', 'revoke', appKey.id], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked ${appKey.id} \\(app, wm_`));
    expect((JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as unknown[]).length).toBe(1);
    const again = await runCli(['keys', 'revoke', appKey.id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no API key with id/);
    const last = await runCli(['keys', 'revoke', keys.find((k) => k.name === 'ops')!.id], env);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/last admin key/);

    await runCli(['projects', 'create', 'Marketing'], env);
    const projects = JSON.parse((await runCli(['projects', 'list', '--json'], env)).stdout) as Array<{ name: string; default: boolean }>;
    expect(projects.map((p) => [p.name, p.default]).sort()).toEqual([['Default', true], ['Marketing', false]]);
    expect((await runCli(['projects', 'list'], env)).stdout).toMatch(/^ID\s+NAME\s+DEFAULT\s+CREATED\n/);
  });

  it('--version prints the version of package.json', async () => {
    const res = await runCli(['--version'], {});
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('0.1.0\n');
  });

  it('instrument without --email-id warns that hits will match no email, and follows PORT and WAYMARK_TRACKING_URL', async () => {
    const env = { WAYMARK_SECRET: 'cli:' + 'p'.repeat(40), WAYMARK_DATA_DIR: dataDir() };
    const onPort = await runCli(['instrument'], { ...env, PORT: '4100' }, '<a href="https://example.com/">x</a>');
    expect(onPort.code).toBe(0);
    expect(onPort.stderr).toMatch(/no --email-id given.*will not be recorded against any email/);
    expect(onPort.stdout).toMatch(/^<a href="http:\/\/localhost:4100\/v1\/track\/click\//);
    const tracked = await runCli(['instrument', '--email-id', '0190c3a0-0000-7000-8000-000000000002'], { ...env, PORT: '4100', WAYMARK_TRACKING_URL: 'https://links.example.com' }, '<a href="https://example.com/">x</a>');
    expect(tracked.stderr).toBe('');
    expect(tracked.stdout).toMatch(/^<a href="https:\/\/links\.example\.com\/v1\/track\/click\//);
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

