import { open } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { IpListSyntaxError, parseIpList, type IpListFileSpec, type ParsedIpList } from '../../core/classification/ip-lists.js';

/** A list file that cannot be read or parsed; the message names the file, and the line. */
export class IpListFileError extends Error {}

function fileError(path: string, detail: string): IpListFileError {
  return new IpListFileError(`machine IP list ${path}: ${detail}`);
}

export interface IpListFile {
  spec: IpListFileSpec;
  list: ParsedIpList;
  /** What identifies this version of the file: a change of it means the file changed. */
  version: string;
}

/** Far above Apple's list (about 10 MB): a file this big is a mistake, not a list to hold in memory. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export async function readIpListFile(spec: IpListFileSpec): Promise<IpListFile> {
  const handle = await open(spec.path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw fileError(spec.path, `cannot be opened (${err.code ?? err.message})`);
  });
  try {
    // The version is that of the file as opened, so a replacement during the read is seen at the next check.
    const stats = await handle.stat();
    if (!stats.isFile()) throw fileError(spec.path, 'is not a file');
    if (stats.size > MAX_FILE_BYTES) throw fileError(spec.path, `is over ${MAX_FILE_BYTES} bytes`);
    const text = await handle.readFile('utf8');
    try {
      return { spec, list: parseIpList(text, { label: spec.label }), version: versionOf(stats) };
    } catch (err) {
      if (err instanceof IpListSyntaxError) throw fileError(spec.path, err.message);
      throw err;
    }
  } finally {
    await handle.close();
  }
}

/** A file replaced by rename has another inode; one written in place, another size or mtime. */
export function versionOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}
