import type { Keyring } from '../tokens/index.js';

/** Which parts get their links rewritten. */
export type ClickTracking = false | 'html' | 'text' | 'html_and_text';

/** Where the open pixel goes: before the last `</body>`, right after `<body>`, or chosen by size. */
export type PixelPlacement = 'bottom' | 'top' | 'auto';

export interface InstrumentOptions {
  /** Insert the open pixel into the html part. */
  open: boolean;
  click: ClickTracking;
  /** Base URL, e.g. "https://links.example.com"; may carry a path prefix; a trailing slash is ignored. */
  trackingUrl: string;
  keyring: Keyring;
  /**
   * UUID of the email; signed into every token, except with `aggregateCohortId`, when it is in
   * none (it is still required and checked, so that callers need not tell the modes apart).
   */
  emailId: string;
  /**
   * Aggregate-only tracking: the UUID of the email's cohort (its project, sending domain, tags and
   * send hour). Every token (pixel, links, trap link) is then an aggregate token carrying this id
   * and not the email's, so a hit can only be counted with the cohort's others: meant for the
   * consent exemption on anonymous, aggregate measurement (CNIL). Default: per-email tokens.
   */
  aggregateCohortId?: string;
  /** Tracking host id signed into every token. Default 0. */
  hostId?: number;
  /** Exact host match; an entry "*.example.com" matches example.com and all its subdomains. */
  excludedHosts?: readonly string[];
  /** Extra hosts (besides trackingUrl's) whose /v1/track/ URLs count as already tracked. */
  knownTrackingHosts?: readonly string[];
  /** Default 'bottom'. */
  pixel?: PixelPlacement;
  /**
   * Insert a hidden trap link (core/classification/trap.ts) right after `<body>`, leading where
   * the first tracked HTML link does: a click on it is a machine following the message's links.
   * Only with click tracking of the html part, and when it has a tracked link. Default false.
   */
  trapLink?: boolean;
}

export interface TrackedLink {
  /** Position in `InstrumentResult.links`; signed into the link's token (per-email or aggregate alike). */
  index: number;
  /** Where the link leads: the WHATWG-parsed `href` of the original URL. */
  destination: string;
  label: string;
  location: 'html' | 'vml' | 'text';
}

/** A splice of the input: offsets are UTF-16 indices into the input string. */
export interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/** An edit as recorded by the engine: also carries the text it replaced, so it can be undone. */
export interface RecordedEdit extends Edit {
  /** `input.slice(start, end)`. */
  original: string;
}

export interface InstrumentResult {
  /** Present iff `html` was given. */
  html?: string;
  /** Present iff `text` was given. */
  text?: string;
  /** HTML and VML links first, in document order, then text links. `index` is the position here. */
  links: TrackedLink[];
  /** Sorted, non-overlapping; `applyEdits(input.html, htmlEdits) === html`. */
  htmlEdits: RecordedEdit[];
  /** Sorted, non-overlapping; `applyEdits(input.text, textEdits) === text`. */
  textEdits: RecordedEdit[];
  pixelInserted: boolean;
  /** The trap link was inserted (it is in `htmlEdits`, never in `links`). */
  trapInserted: boolean;
}

export interface InstrumentInput {
  html?: string | undefined;
  text?: string | undefined;
}
