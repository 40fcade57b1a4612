import type { AggregateClickToken, AggregateOpenToken, ClickToken, OpenToken } from '../tokens/index.js';

/**
 * Whose id an email's tokens carry: its own ('email': open and click tokens, counted per
 * recipient) or its cohort's ('cohort': aggregate tokens, counted only in aggregate, carrying
 * nothing of the email).
 */
export type TokenScope = 'email' | 'cohort';

export function openTokenOf(scope: TokenScope, id: string, hostId: number): OpenToken | AggregateOpenToken {
  return scope === 'cohort' ? { kind: 'aggregate_open', cohortId: id, hostId } : { kind: 'open', emailId: id, hostId };
}

export function clickTokenOf(scope: TokenScope, id: string, hostId: number, linkIndex: number, destination: string): ClickToken | AggregateClickToken {
  return scope === 'cohort'
    ? { kind: 'aggregate_click', cohortId: id, hostId, linkIndex, destination }
    : { kind: 'click', emailId: id, hostId, linkIndex, destination };
}
