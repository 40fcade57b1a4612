/**
 * `npm run bench`: tracking throughput of Waymark against two baselines measured in the same run
 * (a bare node:http handler, the ceiling, and a naive one-INSERT-per-hit handler), with the server
 * under test pinned to one core and the load generator to another. See bench/README.md.
 */
import path from 'node:path';
import { machineBusyPct } from './cpu.js';
import { evaluateGoals, goalsText } from './goals.js';
import { choosePinning, describeMachine, pinSelf } from './machine.js';
import { type MeasureSettings, type Measurement, ROUTES, type Route, type Sample, type Target, measureRoute, sampleDifferences, sampleRoute } from './measure.js';
import { preparePostgres } from './postgres.js';
import { buildDist, cleanupAll, installCleanupHandlers } from './processes.js';
import { type RunInfo, caveats, durability, eventsSummary, header, table, writeJson } from './report.js';
import { toRows } from './rows.js';
import { CONNECTIONS, commandLine, readSettings, toolVersion, wanted } from './settings.js';
import { type TargetSpec, targetSpecs } from './targets/index.js';

function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function main(): Promise<number> {
  installCleanupHandlers();
  const settings = readSettings();
  const machine = describeMachine();
  const pinning = choosePinning(machine);
  pinSelf(pinning.loadCore); // keep this process off the server's core

  const notes: string[] = [];
  if (settings.tool === 'autocannon') {
    notes.push(
      `autocannon generated the load (${settings.toolForced ? 'BENCH_LOAD_TOOL=autocannon' : 'wrk not found'}): it is Node and needs more CPU ` +
        'per request than wrk, so the ceiling may be the load generator; its latencies have 1 ms resolution.',
    );
  }
  if (!pinning.pinned) notes.push(`Processes were not pinned (${pinning.reason}).`);

  if (['waymark-sqlite', 'waymark-sqlite-fastify', 'waymark-postgres'].some((id) => wanted(settings, id))) {
    progress('building dist/ (tsc), so Waymark runs as npm start runs it');
    buildDist();
  }
  const postgres = await preparePostgres(wanted(settings, 'waymark-postgres'));
  const busyBeforePct = await machineBusyPct();
  if (busyBeforePct !== null && busyBeforePct > 10) {
    notes.push(
      `The machine was already ${Math.round(busyBeforePct)}% busy before the run (other processes): expect noisy, lower figures; ` +
        'see the "srv core other" and "load core" columns.',
    );
  }
  const info: RunInfo = {
    command: commandLine(),
    startedAt: new Date().toISOString(),
    tool: settings.tool,
    toolVersion: toolVersion(settings.tool),
    connections: CONNECTIONS,
    durationSec: settings.durationSec,
    warmupSec: settings.warmupSec,
    machine,
    pinning,
    postgres: { used: postgres.db !== null, note: postgres.note },
    busyBeforePct,
    notes,
  };
  process.stdout.write(header(info) + '\n\n');

  const measure: MeasureSettings = {
    tool: settings.tool,
    connections: CONNECTIONS,
    durationSec: settings.durationSec,
    warmupSec: settings.warmupSec,
    loadCore: pinning.loadCore,
    serverCore: pinning.serverCore,
  };
  const specs = targetSpecs({
    core: pinning.serverCore,
    postgresUrl: postgres.db?.url ?? null,
    waymarkFlags: settings.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfDir}`] : [],
  }).filter((s) => wanted(settings, s.id));

  const measurements: Measurement[] = [];
  const reference: Partial<Record<Route, Sample>> = {};
  let failed = false;
  try {
    for (const spec of specs) {
      const result = await measureTarget(spec, measure, reference, notes);
      measurements.push(...result.measurements);
      failed ||= result.failed;
    }
  } finally {
    const dropError = await postgres.release();
    if (dropError) notes.push(dropError);
  }
  if (settings.cpuProfDir) notes.push(`CPU profiles of the Waymark servers written to ${settings.cpuProfDir}`);

  const rows = toRows(measurements);
  notes.push(...caveats(rows));
  const goals = evaluateGoals(rows);
  const text = [
    table(rows),
    '',
    durability(rows),
    '',
    eventsSummary(rows),
    '',
    goalsText(goals),
    ...(notes.length > 0 ? ['', 'Notes:', ...notes.map((n) => `  - ${n}`)] : []),
  ].join('\n');
  process.stdout.write(text + '\n');
  const file = writeJson(info, rows, goals, measurements, header(info) + '\n\n' + text);
  process.stdout.write(`\nResults written to ${path.relative(process.cwd(), file)}\n`);
  return failed ? 1 : 0;
}

/** Starts one target, checks its answers against the bare handler's, measures both routes, stops it. */
async function measureTarget(
  spec: TargetSpec,
  settings: MeasureSettings,
  reference: Partial<Record<Route, Sample>>,
  notes: string[],
): Promise<{ measurements: Measurement[]; failed: boolean }> {
  progress(`starting ${spec.label}`);
  let running;
  try {
    running = await spec.start();
  } catch (err) {
    notes.push(`${spec.label}: could not start: ${message(err)}`);
    progress(`${spec.label} could not start, skipped`);
    return { measurements: [], failed: true };
  }
  const target: Target = { ...running.target, id: spec.id, label: spec.label };
  const measurements: Measurement[] = [];
  try {
    for (const route of ROUTES) {
      const url = target.urls[route];
      const sample = await sampleRoute(url);
      if (spec.id === 'bare') reference[route] ??= sample;
      const diffs = reference[route] ? sampleDifferences(reference[route], sample) : [];
      if (diffs.length > 0) {
        const token = url.slice(url.lastIndexOf('/') + 1);
        notes.push(`${spec.label} ${route} (token of ${token.length} characters) answers differently from the bare handler: ${diffs.join('; ')}`);
      }
      progress(`measuring ${spec.label} ${route} (${settings.warmupSec} s warm-up + ${settings.durationSec} s)`);
      measurements.push(await measureRoute(target, route, settings));
    }
    const errors = running.errorLog();
    if (errors.length > 0) notes.push(`${spec.label} logged ${errors.length} error line(s), first: ${errors[0]!.slice(0, 400)}`);
    return { measurements, failed: false };
  } catch (err) {
    notes.push(`${spec.label}: measurement failed: ${message(err)}`);
    return { measurements, failed: true };
  } finally {
    await running.stop();
  }
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
} finally {
  await cleanupAll();
}
process.exit(code);
