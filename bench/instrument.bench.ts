/**
 * Throughput of the instrumentation engine as built in dist/ (rebuilt first), token signing included,
 * against two baselines on the
 * same input in the same process (one core):
 *   - cheerio: parse to a DOM, rewrite a[href], append the pixel to <body>, serialise;
 *   - html-rewriter-wasm (lol-html): streaming rewriter, a[href] element handler, pixel appended to <body>.
 * The baselines parse each href with WHATWG URL and sign a click token for every http(s) one with
 * the engine's own signer (so signing costs all three the same), but do none of the engine's other
 * work (entities, placeholders, opt-outs, VML, labels, byte preservation).
 *
 * Workloads: (a) every template of test/fixtures/email-html, round-robin; (b) the ~60 KB newsletter
 * in bench/fixtures (about 40 links, Outlook conditional comments, a VML button).
 *
 *   npm run bench:instrument            # per workload and implementation: 0.5 s warm-up, then 3 s timed
 *                                       # in 6 interleaved slices (a burst of load elsewhere hits all alike)
 *   BENCH_SECONDS=1 npm run bench:instrument
 *   BENCH_ASSERT=1 npm run bench:instrument   # exit 1 if the newsletter goals are missed
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { HTMLRewriter } from 'html-rewriter-wasm';
import type { InstrumentOptions } from '../src/core/instrument/index.js';
import { choosePinning, describeMachine, pinSelf } from './machine.js';
import { buildDist } from './processes.js';

// The goals are per core: every implementation, its garbage collector's threads included, runs on
// one core (cheerio's GC otherwise takes a share of the second one and its elapsed rate gains by it).
const pinning = choosePinning(describeMachine());
pinSelf(pinning.serverCore);

// The engine as it ships: from a fresh build of dist/ (tsc), not from the sources through tsx,
// whose keepNames wrappers cost it a few percent. The baselines use its signer too.
buildDist();
const dist = (module: string) => new URL(`../dist/core/${module}`, import.meta.url).href;
const { clickSigner } = (await import(dist('instrument/click-tokens.js'))) as typeof import('../src/core/instrument/click-tokens.js');
const { instrument } = (await import(dist('instrument/index.js'))) as typeof import('../src/core/instrument/index.js');
const { encodeToken, parseKeyring } = (await import(dist('tokens/index.js'))) as typeof import('../src/core/tokens/index.js');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = Math.min(0.5, SECONDS / 2);
const ROUNDS = 6;
const GOALS = { emailsPerSecond: 2500, vsLolHtml: 3, vsCheerio: 20 };

const CORPUS_DIR = fileURLToPath(new URL('../test/fixtures/email-html/', import.meta.url));
const NEWSLETTER = fileURLToPath(new URL('./fixtures/newsletter.html', import.meta.url));

const keyring = parseKeyring(`bench:${'k'.repeat(40)}`);
const emailId = '01936f5e-7a2b-7c3d-8e4f-5a6b7c8d9e0f';
const TRACKING_URL = 'https://links.example.com';
const options: InstrumentOptions = { open: true, click: 'html', trackingUrl: TRACKING_URL, keyring, emailId, pixel: 'bottom' };

function listHtml(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = `${dir}${dir.endsWith('/') ? '' : '/'}${name}`;
      return statSync(path).isDirectory() ? listHtml(path) : name.endsWith('.html') ? [path] : [];
    });
}

// ---- the three implementations --------------------------------------------------------------

function waymark(html: string): string {
  return instrument({ html }, options).html!;
}

/** What the baselines do per link: parse, keep http(s) only, sign a click token (per email, as the engine does). */
let signClick = clickSigner(keyring, emailId, 0);
function trackingHref(href: string, index: number): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return `${TRACKING_URL}/v1/track/click/${signClick(index, url.href)}`;
}

function pixelHtml(): string {
  const token = encodeToken(keyring, { kind: 'open', emailId, hostId: 0 });
  return `<img src="${TRACKING_URL}/v1/track/open/${token}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px" />`;
}

function cheerioRewrite(html: string): string {
  signClick = clickSigner(keyring, emailId, 0);
  const $ = cheerio.load(html);
  let index = 0;
  $('a[href]').each((_i, el) => {
    const tracked = trackingHref($(el).attr('href')!, index);
    if (tracked !== null) {
      $(el).attr('href', tracked);
      index++;
    }
  });
  $('body').append(pixelHtml());
  return $.html();
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function lolHtml(html: string): Promise<string> {
  signClick = clickSigner(keyring, emailId, 0);
  const chunks: Uint8Array[] = [];
  const rewriter = new HTMLRewriter((chunk) => chunks.push(chunk));
  let index = 0;
  rewriter.on('a[href]', {
    element(el) {
      const tracked = trackingHref(el.getAttribute('href')!, index);
      if (tracked !== null) {
        el.setAttribute('href', tracked);
        index++;
      }
    },
  });
  rewriter.on('body', {
    element(el) {
      el.append(pixelHtml(), { html: true });
    },
  });
  try {
    await rewriter.write(encoder.encode(html));
    await rewriter.end();
  } finally {
    rewriter.free();
  }
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return decoder.decode(out);
}

// ---- timing -----------------------------------------------------------------------------------

interface Tally {
  emails: number;
  bytes: number;
  seconds: number;
  cpuMicros: number;
}

interface Result {
  emailsPerSecond: number;
  mbPerSecond: number;
  cpuMicrosPerEmail: number;
}

type Impl = (html: string) => string | Promise<string>;

async function warmUp(inputs: readonly string[], run: Impl): Promise<void> {
  const until = performance.now() + WARMUP_SECONDS * 1000;
  for (let i = 0; performance.now() < until; i++) await run(inputs[i % inputs.length]!);
}

/** Runs `run` over `inputs` (round-robin) for `seconds`, adding to `tally`. */
async function timeSlice(inputs: readonly string[], bytes: readonly number[], run: Impl, seconds: number, tally: Tally): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let now = t0;
  while (now < until) {
    const k = tally.emails % inputs.length;
    await run(inputs[k]!);
    tally.bytes += bytes[k]!;
    tally.emails++;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpu0);
  tally.seconds += (now - t0) / 1000;
  tally.cpuMicros += cpu.user + cpu.system;
}

/**
 * Times every implementation on the same inputs. They take turns in short slices (ROUNDS of them)
 * so that a burst of load from elsewhere on the machine hits them alike.
 */
async function measureAll(inputs: readonly string[], impls: readonly (readonly [string, Impl])[]): Promise<Map<string, Result>> {
  const bytes = inputs.map((s) => Buffer.byteLength(s, 'utf8'));
  const tallies = new Map<string, Tally>();
  for (const [name, run] of impls) {
    await warmUp(inputs, run);
    tallies.set(name, { emails: 0, bytes: 0, seconds: 0, cpuMicros: 0 });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of impls) await timeSlice(inputs, bytes, run, SECONDS / ROUNDS, tallies.get(name)!);
  }
  const results = new Map<string, Result>();
  for (const [name, t] of tallies) {
    results.set(name, { emailsPerSecond: t.emails / t.seconds, mbPerSecond: t.bytes / 1e6 / t.seconds, cpuMicrosPerEmail: t.cpuMicros / t.emails });
  }
  return results;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const corpusFiles = listHtml(CORPUS_DIR);
  const corpus = corpusFiles.map((f) => readFileSync(f, 'utf8'));
  const newsletter = readFileSync(NEWSLETTER, 'utf8');
  const check = instrument({ html: newsletter }, options);
  const corpusBytes = corpus.reduce((n, s) => n + Buffer.byteLength(s), 0);

  console.log(pinning.pinned ? `pinned to core ${pinning.serverCore} (taskset), all threads` : `not pinned (${pinning.reason}): the figures may use more than one core`);
  console.log(`node ${process.version}, one process; ${SECONDS} s timed (+${WARMUP_SECONDS} s warm-up) per row, in ${ROUNDS} interleaved slices`);
  console.log(`corpus: ${corpus.length} templates, ${fmt(corpusBytes / 1024)} KB in all (mean ${fmt(corpusBytes / corpus.length / 1024, 1)} KB)`);
  console.log(
    `newsletter: ${fmt(Buffer.byteLength(newsletter) / 1024, 1)} KB, ${check.links.length} tracked links ` +
      `(${check.links.filter((l) => l.location === 'vml').length} VML), pixel ${check.pixelInserted ? 'inserted' : 'not inserted'}`,
  );
  console.log('');

  const workloads: [string, readonly string[]][] = [
    ['corpus', corpus],
    ['newsletter', [newsletter]],
  ];
  const impls: [string, Impl][] = [
    ['waymark', waymark],
    ['lol-html (html-rewriter-wasm)', lolHtml],
    ['cheerio', cheerioRewrite],
  ];

  const rows: string[][] = [['workload', 'implementation', 'emails/s', 'MB/s', 'CPU µs/email', 'waymark ÷ this', '(by CPU time)']];
  const byWorkload = new Map<string, Map<string, Result>>();
  for (const [workload, inputs] of workloads) {
    const results = await measureAll(inputs, impls);
    byWorkload.set(workload, results);
    const base = results.get('waymark')!;
    for (const [name, r] of results) {
      const ratio = name === 'waymark' ? '1.0×' : `${fmt(base.emailsPerSecond / r.emailsPerSecond, 1)}×`;
      const cpuRatio = name === 'waymark' ? '1.0×' : `${fmt(r.cpuMicrosPerEmail / base.cpuMicrosPerEmail, 1)}×`;
      rows.push([workload, name, fmt(r.emailsPerSecond), fmt(r.mbPerSecond, 1), fmt(r.cpuMicrosPerEmail), ratio, cpuRatio]);
    }
  }

  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w, c) => (c >= 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));

  const n = byWorkload.get('newsletter')!;
  const w = n.get('waymark')!;
  const lol = n.get('lol-html (html-rewriter-wasm)')!;
  const ch = n.get('cheerio')!;
  const goals = [
    [`newsletter ≥ ${fmt(GOALS.emailsPerSecond)} emails/s`, w.emailsPerSecond >= GOALS.emailsPerSecond, `${fmt(w.emailsPerSecond)} (by CPU time: ${fmt(1e6 / w.cpuMicrosPerEmail)})`],
    [
      `≥ ${GOALS.vsLolHtml}× lol-html`,
      w.emailsPerSecond / lol.emailsPerSecond >= GOALS.vsLolHtml,
      `${fmt(w.emailsPerSecond / lol.emailsPerSecond, 2)}× (by CPU time: ${fmt(lol.cpuMicrosPerEmail / w.cpuMicrosPerEmail, 2)}×)`,
    ],
    [
      `≥ ${GOALS.vsCheerio}× cheerio`,
      w.emailsPerSecond / ch.emailsPerSecond >= GOALS.vsCheerio,
      `${fmt(w.emailsPerSecond / ch.emailsPerSecond, 1)}× (by CPU time: ${fmt(ch.cpuMicrosPerEmail / w.cpuMicrosPerEmail, 1)}×)`,
    ],
  ] as const;
  console.log('');
  for (const [goal, ok, got] of goals) console.log(`${ok ? 'met   ' : 'MISSED'}  ${goal}: ${got}`);
  if (process.env.BENCH_ASSERT === '1' && goals.some(([, ok]) => !ok)) process.exitCode = 1;
}

await main();
