import { stat } from 'node:fs/promises';
import { IpListMatcher, formatIpRange, type IpListFileSpec } from '../../core/classification/ip-lists.js';
import { IpListFileError, readIpListFile, versionOf, type IpListFile } from './ip-list-file.js';

export interface IpListLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The operator's machine IP lists (WAYMARK_MACHINE_IP_LISTS), kept up to date with their files. */
export interface MachineIpLists {
  /** The label of the most specific listed range containing `ip`, or null. */
  match(ip: string): string | null;
  /** Distinct ranges, all files together. */
  size(): number;
  /** Checks the files for changes now rather than at the next interval; resolves once a changed file is in. */
  checkNow(): Promise<void>;
  /** Stops checking the files; match goes on answering from the lists as they are. */
  stop(): void;
}

export interface MachineIpListsOptions {
  logger: IpListLogger;
  /** How often the files are checked for changes (default 30 s). */
  checkIntervalMs?: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 30_000;

/**
 * Loads the list files into one matcher; the first file listed wins where two list the same range with
 * different labels. A file that cannot be read or parsed is an error here, and after a change only
 * logged: its previous ranges stay.
 *
 * Changes are found by polling each file's inode, size and mtime, not with fs.watch: `waymark ip-lists
 * refresh` replaces the file by rename, which a watch on the file stops following, and watches are
 * unreliable on network file systems and the symlink swaps of mounted Kubernetes ConfigMaps. A stat or
 * two every 30 s costs nothing, and the unref'd timer keeps no process alive.
 */
export async function openMachineIpLists(specs: readonly IpListFileSpec[], options: MachineIpListsOptions): Promise<MachineIpLists> {
  const read = await Promise.allSettled(specs.map((spec) => readIpListFile(spec)));
  const failures = read.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0) throw new IpListFileError(failures.join('\n'));
  const files = read.map((r) => (r as PromiseFulfilledResult<IpListFile>).value);
  return new WatchedIpLists(files, options);
}

interface FileState {
  current: IpListFile;
  /** The version that last failed to load, so that it is reported once, not at every check. */
  failedVersion: string | null;
}

class WatchedIpLists implements MachineIpLists {
  private matcher: IpListMatcher;
  private readonly files: FileState[];
  private readonly timer: NodeJS.Timeout | null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(files: IpListFile[], private readonly options: MachineIpListsOptions) {
    this.files = files.map((current) => ({ current, failedVersion: null }));
    for (const f of files) if (f.list.ranges.length === 0) options.logger.warn({ path: f.spec.path }, 'machine IP list has no ranges');
    this.matcher = this.build();
    if (files.length === 0) {
      this.timer = null;
      return;
    }
    this.timer = setInterval(() => void this.checkNow(), options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  match(ip: string): string | null {
    return this.matcher.match(ip);
  }

  size(): number {
    return this.matcher.size;
  }

  checkNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.checking ??= this.reloadChanged()
      .catch((err: unknown) => this.options.logger.error({ err }, 'checking the machine IP lists failed'))
      .finally(() => (this.checking = null));
    return this.checking;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
  }

  private async reloadChanged(): Promise<void> {
    let changed = false;
    for (const file of this.files) {
      const path = file.current.spec.path;
      const version = await stat(path).then(versionOf, (err: NodeJS.ErrnoException) => `unreadable:${err.code ?? err.message}`);
      if (version === file.current.version || version === file.failedVersion) continue;
      try {
        file.current = await readIpListFile(file.current.spec);
        file.failedVersion = null;
        changed = true;
        this.options.logger.info({ path, ranges: file.current.list.ranges.length }, 'machine IP list reloaded');
        if (file.current.list.ranges.length === 0) this.options.logger.warn({ path }, 'machine IP list has no ranges');
      } catch (err) {
        file.failedVersion = version;
        const message = err instanceof Error ? err.message : String(err);
        this.options.logger.error({ path, error: message }, 'machine IP list changed but cannot be loaded; its previous ranges stay in use');
      }
    }
    if (changed && !this.stopped) this.matcher = this.build();
  }

  private build(): IpListMatcher {
    const started = performance.now();
    const matcher = new IpListMatcher(this.files.flatMap((f) => f.current.list.ranges));
    if (matcher.conflicts.length > 0) {
      const examples = matcher.conflicts.slice(0, 5).map((r) => `${formatIpRange(r)} ${r.label}`);
      this.options.logger.warn({ conflicts: matcher.conflicts.length, examples }, 'machine IP lists give ranges two labels; the first file listed wins');
    }
    this.options.logger.info({ files: this.files.length, ranges: matcher.size, ms: Math.round(performance.now() - started) }, 'machine IP lists loaded');
    return matcher;
  }
}
