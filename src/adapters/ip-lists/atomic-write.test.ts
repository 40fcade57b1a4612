import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './atomic-write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'waymark-atomic-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileAtomically', () => {
  it('creates a file, then replaces it with a new inode, leaving nothing else behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.txt');
    await writeFileAtomically(file, 'one\n');
    const first = statSync(file).ino;
    await writeFileAtomically(file, 'two\n');
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(statSync(file).ino).not.toBe(first);
    expect(readdirSync(dir)).toEqual(['list.txt']);
  });

  it('fails without a trace when the rename cannot happen', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomically(target, 'text')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['taken']);
    await expect(writeFileAtomically(path.join(dir, 'missing', 'list.txt'), 'text')).rejects.toThrow(/ENOENT/);
  });
});
