import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../support/in-process.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('files at rest are readable by their owner only', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  it('the SQLite database and its WAL and shared-memory files', async () => {
    await s.api('POST', '/v1/emails', emailBody());
    const db = s.config.databaseUrl.slice('sqlite:'.length);
    for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(mode(file), file).toBe(0o600);
  });

  it('export files, inline and built in the background, and their folder', async () => {
    const res = await s.api('POST', '/v1/exports', { resource: 'emails' });
    expect(res.status).toBe(200);
    const dir = path.join(s.config.dataDir, 'exports');
    expect(mode(dir)).toBe(0o700);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(mode(path.join(dir, f)), f).toBe(0o600);
  });
});
