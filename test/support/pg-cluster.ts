/**
 * A PostgreSQL cluster of a test's own, so the test can stop the database under load and start it
 * again without touching the shared server in WAYMARK_TEST_DATABASE_URL.
 *
 * initdb/pg_ctl/postgres from the system install (Debian: /usr/lib/postgresql/<v>/bin). PostgreSQL
 * refuses to run as root, so under root they run as the `postgres` OS user (runuser, else setpriv,
 * else su) in a temp dir that user owns. The cluster trusts every local connection and runs with
 * fsync=off: tests need it up or down, not durable across a machine crash. An immediate stop still
 * exercises WAL crash recovery, since the OS keeps what was written.
 *
 * The data directory is removed by destroy(), and on this process's exit (with an immediate stop)
 * if a test forgot; only a SIGKILLed test process leaves a server and its temp dir behind.
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type StopMode = 'fast' | 'immediate';

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth); the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** The cluster's data directory (also its unix socket directory). */
  readonly dataDir: string;
  /** The server log pg_ctl writes to. */
  readonly logFile: string;
  /** Starts the server; resolves once it answers `select 1`. No-op when running. */
  start(): Promise<void>;
  /** 'fast' (default) disconnects clients and shuts down cleanly; 'immediate' is crash-like (recovery on next start). No-op when stopped. */
  stop(mode?: StopMode): Promise<void>;
  /** Stops the server if running and removes the temp dir. Safe to call more than once. */
  destroy(): Promise<void>;
  /** Whether the postmaster named in postmaster.pid is alive. */
  running(): boolean;
}

const OS_USER = 'postgres';
const COMMAND_TIMEOUT_MS = 90_000;
const LOG_TAIL_LINES = 40;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Compares '15' < '16' < '9.6' numerically, part by part. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The directory holding initdb and pg_ctl, or undefined. `pg_config --bindir` is checked for
 * initdb because Debian's libpq-dev pg_config may name a server version that is not installed.
 */
export function pgBinDir(): string | undefined {
  const has = (dir: string) => executable(path.join(dir, 'initdb')) && executable(path.join(dir, 'pg_ctl'));
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const configured = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  if (configured && has(configured)) return configured;
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    // no Debian-style install
  }
  versions.sort(compareVersions).reverse();
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (has(dir)) return dir;
  }
  return undefined;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** uid/gid of the postgres OS user (only needed under root). */
function osUser(): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', OS_USER], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`running as root, but there is no "${OS_USER}" OS user to run PostgreSQL as (PostgreSQL refuses to run as root)`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** argv that runs `file args` as the postgres user when we are root, else as ourselves. */
function asPostgres(file: string, args: string[]): [string, string[]] {
  if (!isRoot) return [file, args];
  if (executable('/usr/sbin/runuser') || executable('/sbin/runuser')) {
    return [executable('/usr/sbin/runuser') ? '/usr/sbin/runuser' : '/sbin/runuser', ['-u', OS_USER, '--', file, ...args]];
  }
  if (executable('/usr/bin/setpriv')) {
    return ['/usr/bin/setpriv', [`--reuid=${OS_USER}`, `--regid=${OS_USER}`, '--init-groups', '--', file, ...args]];
  }
  return ['su', ['-s', '/bin/sh', OS_USER, '-c', [file, ...args].map(shellQuote).join(' ')]];
}

/** Our environment without PG* variables (PGDATA, PGPORT, PGOPTIONS... would steer pg_ctl), in the C locale. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return env;
}

function run(file: string, args: string[], cwd: string): Promise<string> {
  const [cmd, argv] = asPostgres(file, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { cwd, env: childEnv(), timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const out = [stdout, stderr].map((s) => s.trim()).filter(Boolean).join('\n');
        reject(new Error(`${path.basename(file)} ${args.join(' ')} failed (${err.message.split('\n')[0]})${out ? `:\n${out}` : ''}`));
      } else resolve(stdout);
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True when every ancestor of dir lets others through (x bit), so the postgres user can reach a child of it. */
function traversableByOthers(dir: string): boolean {
  let d = path.resolve(dir);
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(d);
    if (parent === d) return true;
    d = parent;
  }
}

function tail(file: string, lines = LOG_TAIL_LINES): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours (cannot happen as root or as the owner, kept for safety).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Clusters not destroyed yet: stopped (immediate) and removed when this process exits. */
const live = new Map<string, { pgCtl: string; dataDir: string; baseDir: string }>();
let exitHookInstalled = false;
function track(baseDir: string, pgCtl: string, dataDir: string): void {
  live.set(baseDir, { pgCtl, dataDir, baseDir });
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live.values()) {
      if (postmasterPid(c.dataDir) !== undefined) {
        const [cmd, argv] = asPostgres(c.pgCtl, ['-D', c.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
        spawnSync(cmd, argv, { cwd: c.baseDir, env: childEnv(), stdio: 'ignore', timeout: 40_000 });
      }
      rmSync(c.baseDir, { recursive: true, force: true });
    }
  });
}

async function selectOne(url: string): Promise<void> {
  let lastError: unknown;
  // pg_ctl -w already waited for "ready"; the retries only cover a slow first accept.
  for (let attempt = 0; attempt < 20; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw lastError;
}

/** initdb a fresh cluster in a temp dir and start it on a free 127.0.0.1 port. */
export async function startPgCluster(): Promise<PgCluster> {
  const binDir = pgBinDir();
  if (!binDir) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql (Debian) or put pg_config on PATH');
  }
  const initdb = path.join(binDir, 'initdb');
  const pgCtl = path.join(binDir, 'pg_ctl');

  // mkdtemp makes a 0700 root-owned dir: under root, the postgres user must own it (it holds the
  // log) and reach it, so its parent must be traversable by others too.
  const parent = !isRoot || traversableByOthers(tmpdir()) ? tmpdir() : '/tmp';
  const baseDir = mkdtempSync(path.join(parent, 'waymark-pg-'));
  const dataDir = path.join(baseDir, 'data');
  const logFile = path.join(baseDir, 'server.log');
  track(baseDir, pgCtl, dataDir);

  let destroyed = false;
  let port = 0;
  // start/stop/destroy run one at a time, in call order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => {});
    return next;
  };

  const running = (): boolean => {
    const pid = postmasterPid(dataDir);
    return pid !== undefined && alive(pid);
  };

  const withLog = (err: unknown, what: string): Error =>
    new Error(`${what}: ${err instanceof Error ? err.message : String(err)}\n--- ${logFile} (last ${LOG_TAIL_LINES} lines) ---\n${tail(logFile)}`, {
      cause: err,
    });

  const url = () => `postgres://postgres@127.0.0.1:${port}/postgres`;

  const doStart = async (): Promise<void> => {
    if (destroyed) throw new Error(`PostgreSQL cluster in ${baseDir} was destroyed`);
    if (running()) return;
    try {
      await run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start', '-o', `-p ${port}`], baseDir);
      await selectOne(url());
    } catch (err) {
      throw withLog(err, `PostgreSQL did not start on 127.0.0.1:${port}`);
    }
  };

  const doStop = async (mode: StopMode): Promise<void> => {
    if (!running()) return;
    try {
      await run(pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop'], baseDir);
    } catch (err) {
      throw withLog(err, `PostgreSQL did not stop (${mode})`);
    }
  };

  const remove = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    try {
      await doStop('fast').catch(() => doStop('immediate'));
    } finally {
      live.delete(baseDir);
      rmSync(baseDir, { recursive: true, force: true });
    }
  };

  try {
    if (isRoot) {
      const { uid, gid } = osUser();
      chownSync(baseDir, uid, gid);
      chmodSync(baseDir, 0o755);
    }
    await run(initdb, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], baseDir);
    // The socket path is limited to ~107 bytes; without a socket, TCP alone still serves the tests.
    const socketDir = path.join(dataDir, '.s.PGSQL.65535').length < 100 ? dataDir : '';
    appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# waymark test cluster',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${socketDir}'`,
        'fsync = off',
        'max_connections = 100',
        "shared_buffers = '16MB'",
        '',
      ].join('\n'),
    );
    // The free port can be taken between probe and bind: retry with another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await serial(doStart);
        break;
      } catch (err) {
        const portTaken = /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(tail(logFile, 10));
        if (!portTaken || attempt >= 3) throw err;
      }
    }
  } catch (err) {
    await remove().catch(() => {});
    throw err;
  }

  return {
    url: url(),
    port,
    dataDir,
    logFile,
    start: () => serial(doStart),
    stop: (mode: StopMode = 'fast') => serial(() => doStop(mode)),
    destroy: () => serial(remove),
    running,
  };
}

/** Whether startPgCluster can work here (server binaries installed). */
export function pgClusterAvailable(): boolean {
  return pgBinDir() !== undefined;
}
