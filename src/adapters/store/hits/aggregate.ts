import { NO_DOMAIN, aggregateRollupDeltas } from '../../../core/analytics/rollups.js';
import type { CohortState } from '../../../core/analytics/rollups.js';
import { isHuman } from '../../../core/classification/labels.js';
import { isTrapClick } from '../../../core/classification/trap.js';
import type { EmailTag, TrackingHit } from '../../../core/model.js';
import type { AggregateCohortsTable } from '../schema.js';
import { ownLabel } from './labels.js';

/** The cohort columns aggregate-only hits are counted under. */
export const COHORT_COLUMNS = 'id, project_id, domain_id, tags, bucket, created_at';

export type CohortRow = AggregateCohortsTable;

/**
 * The rollup deltas of a batch's aggregate-only hits, each labelled by its own rules only (the
 * context rules need the hits of one email, which these do not name). Time since sending is
 * measured from the cohort's first email, so it never makes a hit look faster than it was.
 */
export function aggregateDeltas(hits: readonly TrackingHit[], rows: readonly CohortRow[]): ReturnType<typeof aggregateRollupDeltas> {
  const cohorts = new Map<string, CohortState & { createdAt: number }>();
  for (const r of rows) {
    cohorts.set(r.id, {
      id: r.id,
      projectId: r.project_id,
      domainId: r.domain_id === NO_DOMAIN ? null : r.domain_id,
      tags: JSON.parse(r.tags) as EmailTag[],
      bucket: Number(r.bucket),
      createdAt: Number(r.created_at),
    });
  }
  const labelled = hits.map((h) => {
    const c = cohorts.get(h.emailId);
    const label = ownLabel(h, c === undefined ? null : h.createdAt - c.createdAt);
    return { cohortId: h.emailId, type: h.type, userAgent: h.userAgent, linkIndex: isTrapClick(h) ? null : h.linkIndex, url: isTrapClick(h) ? null : h.url, human: isHuman(label) };
  });
  return aggregateRollupDeltas(labelled, cohorts);
}
