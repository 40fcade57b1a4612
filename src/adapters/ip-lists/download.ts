/** A download that failed: no answer, an error status, too big, or not text. */
export class DownloadError extends Error {}

export interface DownloadLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** GETs an http(s) URL's body as UTF-8 text, within a time limit (for the whole body) and a size cap. */
export async function downloadText(url: string, limits: DownloadLimits): Promise<string> {
  if (!/^https?:\/\//i.test(url)) throw new DownloadError(`${url}: only http:// and https:// URLs can be downloaded`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), headers: { 'user-agent': 'waymark-ip-lists' } });
    if (!res.ok) {
      await res.body?.cancel();
      throw new DownloadError(`GET ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const declared = Number(res.headers.get('content-length') ?? 'NaN');
    if (declared > limits.maxBytes) {
      await res.body?.cancel();
      throw tooBig(url, limits.maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body !== null) {
      for await (const chunk of res.body) {
        size += chunk.byteLength;
        // Counted as it arrives: a server may send more than it declared, or declare nothing.
        if (size > limits.maxBytes) throw tooBig(url, limits.maxBytes);
        chunks.push(chunk);
      }
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw new DownloadError(`GET ${url}: the body is not UTF-8 text`);
    }
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    if (err instanceof Error && err.name === 'TimeoutError') throw new DownloadError(`GET ${url}: no complete answer within ${limits.timeoutMs / 1000} s`);
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new DownloadError(`GET ${url}: ${err instanceof Error ? err.message : String(err)}${cause}`);
  }
}

function tooBig(url: string, maxBytes: number): DownloadError {
  return new DownloadError(`GET ${url}: the body is over ${maxBytes} bytes (--max-bytes)`);
}
