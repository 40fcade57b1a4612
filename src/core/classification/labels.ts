/**
 * Who made a tracking hit (a person or a machine) and what it came through. Every open and click
 * carries both labels, and the signals that decided them, so a rule change can be explained and
 * re-applied to stored events (docs/classification.md lists each rule with its public source).
 */

/** Bumped whenever a rule changes what it decides; stored with each label. */
export const CLASSIFIER_VERSION = 1;

export const OPEN_CLASSIFICATIONS = ['human', 'apple_mpp', 'prefetch', 'security_scanner', 'other_machine'] as const;
export const CLICK_CLASSIFICATIONS = ['human', 'security_scanner', 'link_preview', 'prefetch', 'other_machine'] as const;
export const HIT_CLASSIFICATIONS = ['human', 'apple_mpp', 'prefetch', 'security_scanner', 'link_preview', 'other_machine'] as const;
export type OpenClassification = (typeof OPEN_CLASSIFICATIONS)[number];
export type ClickClassification = (typeof CLICK_CLASSIFICATIONS)[number];
export type HitClassification = (typeof HIT_CLASSIFICATIONS)[number];

/** The image proxy or gateway a hit came through; null when it came straight from the client. */
export const PROXIES = ['google', 'yahoo', 'microsoft', 'apple', 'other'] as const;
export type HitProxy = (typeof PROXIES)[number];

export interface HitLabel {
  classification: HitClassification;
  proxy: HitProxy | null;
  /** Ids of the rules that decided the label, in the order they applied (see RULES in rules.ts). */
  rules: string[];
}

/** What is known of a hit at the edge, before it is stored: everything a per-hit rule may use. */
export interface HitFacts {
  type: 'opened' | 'clicked';
  method: 'GET' | 'HEAD';
  userAgent: string | null;
  /** The label of the operator's machine IP list the client address falls in, or null. */
  ipList: string | null;
  /** Milliseconds from the email's creation to the hit; null when unknown. */
  sinceSentMs: number | null;
  /** A click on the hidden trap link, which no person sees. */
  trap: boolean;
}

/** A hit of one email as the context rules see it: stored already, or in the batch being written. */
export interface ContextHit {
  id: string;
  type: 'opened' | 'clicked';
  createdAt: number;
  /** As stored, so possibly anonymised; compared only for equality. */
  ip: string | null;
  userAgent: string | null;
  linkIndex: number | null;
  trap: boolean;
  label: HitLabel;
}

export function isHuman(label: Pick<HitLabel, 'classification'>): boolean {
  return label.classification === 'human';
}
