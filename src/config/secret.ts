import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Keyring, KeyringError, parseKeyring } from '../core/tokens/index.js';
import { type Config, ConfigError } from './config.js';

export interface ResolvedKeyring {
  keyring: Keyring;
  source: 'env' | 'file' | 'generated';
}

/**
 * WAYMARK_SECRET wins. Otherwise, on SQLite, the data directory keeps a generated secret. On
 * PostgreSQL the secret must be configured: every node has to sign with the same key.
 */
export function resolveKeyring(config: Config, options: { create: boolean }): ResolvedKeyring | null {
  if (config.secretSpec !== null) return { keyring: parse(config.secretSpec, 'WAYMARK_SECRET'), source: 'env' };
  if (!config.databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('WAYMARK_SECRET is required with PostgreSQL, so that every node signs and verifies with the same keys');
  }
  const file = path.join(config.dataDir, 'secret');
  try {
    return { keyring: parse(readFileSync(file, 'utf8'), file), source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!options.create) return null;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const generated = `k1:${randomBytes(32).toString('base64url')}`;
  // 'wx' fails if another process created it meanwhile; then read theirs.
  try {
    writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
    return { keyring: parse(generated, file), source: 'generated' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { keyring: parse(readFileSync(file, 'utf8'), file), source: 'file' };
  }
}

function parse(spec: string, where: string): Keyring {
  try {
    return parseKeyring(spec.trim());
  } catch (err) {
    if (err instanceof KeyringError) throw new ConfigError(`${where}: ${err.message}`);
    throw err;
  }
}
