import type { Target } from '../measure.js';
import { startBaseline } from './baselines.js';
import { startWaymark } from './waymark.js';

/** A started server under test. */
export interface Running {
  target: Omit<Target, 'id' | 'label'>;
  /** Error-level lines it logged (Waymark only). */
  errorLog: () => string[];
  stop: () => Promise<void>;
}

export interface TargetSpec {
  id: string;
  label: string;
  start: () => Promise<Running>;
}

export interface TargetPlan {
  /** Core the servers are pinned to, or null. */
  core: number | null;
  /** URL of the throwaway PostgreSQL database, or null to skip Waymark on PostgreSQL. */
  postgresUrl: string | null;
  /** Extra node flags for the Waymark servers (profiling). */
  waymarkFlags: string[];
}

/**
 * What one run measures, in order. The bare handler runs first and again last: noise on a shared
 * machine only lowers figures, so the ratios use the better clean one of the two.
 */
export function targetSpecs(plan: TargetPlan): TargetSpec[] {
  const baseline = (kind: 'bare' | 'naive') => async (): Promise<Running> => {
    const b = await startBaseline(kind, plan.core);
    return { target: { urls: { open: b.openUrl, click: b.clickUrl }, recordedEvents: b.recordedEvents, pid: b.pid }, errorLog: () => [], stop: b.stop };
  };
  const waymark = (fastPath: boolean, databaseUrl: string | null) => async (): Promise<Running> => {
    const w = await startWaymark({ core: plan.core, fastPath, databaseUrl, nodeFlags: plan.waymarkFlags });
    return { target: { urls: { open: w.openUrl, click: w.clickUrl }, recordedEvents: w.recordedEvents, pid: w.pid }, errorLog: w.errorLog, stop: w.stop };
  };
  const specs: TargetSpec[] = [
    { id: 'bare', label: 'bare node:http (ceiling)', start: baseline('bare') },
    { id: 'naive', label: 'naive: INSERT per hit, SQLite', start: baseline('naive') },
    { id: 'waymark-sqlite', label: 'Waymark, SQLite', start: waymark(true, null) },
    { id: 'waymark-sqlite-fastify', label: 'Waymark, SQLite, via Fastify router', start: waymark(false, null) },
  ];
  if (plan.postgresUrl) specs.push({ id: 'waymark-postgres', label: 'Waymark, PostgreSQL', start: waymark(true, plan.postgresUrl) });
  specs.push({ id: 'bare', label: 'bare node:http (ceiling, again)', start: baseline('bare') });
  return specs;
}
