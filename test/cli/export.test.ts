import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/child-server.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-cli-export-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('waymark export', () => {
  it('streams a resource as CSV to stdout and reports the row count on stderr', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    await runCli(['migrate'], env);
    const project = (await runCli(['projects', 'create', 'Main'], env)).stdout.trim();
    const secret = (await runCli(['keys', 'create', '--project', project, '--name', '=cmd|calc', '--role', 'admin'], env)).stdout.trim();
    const res = await runCli(['export', 'api_keys', '--project', project, '--since', '2000-01-01T00:00:00Z'], env);
    expect(res.code).toBe(0);
    const rows = parse(res.stdout) as string[][];
    expect(rows[0]).toEqual(['id', 'name', 'role', 'prefix', 'created_at', 'last_used_at']);
    expect(rows).toHaveLength(2);
    expect(rows[1]![1]).toBe("'=cmd|calc");
    expect(res.stdout).not.toContain(secret);
    expect(res.stderr).toMatch(/api_keys: 1 rows exported/);

    const none = await runCli(['export', 'api_keys', '--project', project, '--until', '2000-01-01T00:00:00Z'], env);
    expect(parse(none.stdout)).toHaveLength(1);
  });

  it('exports domains and the whole delivery log (every endpoint) with since/until', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    await runCli(['migrate'], env);
    const project = (await runCli(['projects', 'create', 'Main'], env)).stdout.trim();
    const domains = await runCli(['export', 'domains', '--project', project, '--since', '2000-01-01T00:00:00Z'], env);
    expect(domains.code).toBe(0);
    expect(parse(domains.stdout)).toEqual([
      ['id', 'name', 'status', 'created_at', 'open_tracking', 'click_tracking', 'tls', 'custom_return_path', 'tracking_subdomain', 'tracking_host', 'tracking_hosts'],
    ]);
    const log = await runCli(['export', 'webhook_deliveries', '--project', project, '--until', '2999-01-01T00:00:00Z'], env);
    expect(log.code).toBe(0);
    expect((parse(log.stdout) as string[][])[0]).toEqual([
      'endpoint_id', 'webhook_id', 'event_type', 'status', 'attempts', 'created_at', 'last_attempt_at', 'response_status', 'duration_ms', 'error', 'next_attempt_at',
    ]);
    expect(log.stderr).toMatch(/webhook_deliveries: 0 rows exported/);
  });

  it('fails with a message and no output for an unknown resource or a bad time', async () => {
    const env = { WAYMARK_DATA_DIR: dataDir() };
    const project = (await runCli(['projects', 'create', 'Main'], env)).stdout.trim();
    for (const args of [['export', 'secrets', '--project', project], ['export', 'events', '--project', project, '--since', 'soon']]) {
      const res = await runCli(args, env);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/^waymark: /);
    }
  });
});
