import {
  ATTR_CLICKTRACKING,
  ATTR_DISABLE_TRACKING,
  ATTR_MC_DISABLE_TRACKING,
  ATTR_MSYS_CLICKTRACK,
  ATTR_SES_NO_TRACK,
  ATTR_WAYMARK_TRACK,
} from './attributes.js';

/**
 * Per-link opt-out attributes: ours and the ones senders bring from other providers. The one that
 * opts a link out is removed from the output; one with any other value is left as it is.
 */
interface OptOutRule {
  readonly attribute: number;
  readonly name: string;
  /** Decoded value, or null for an attribute written without `=`. */
  readonly optsOut: (value: string | null) => boolean;
}

const valueIs = (expected: string) => (value: string | null) => value !== null && value.trim().toLowerCase() === expected;
const present = () => true;

export const OPT_OUT_RULES: readonly OptOutRule[] = [
  { attribute: ATTR_WAYMARK_TRACK, name: 'data-waymark-track', optsOut: valueIs('off') },
  { attribute: ATTR_CLICKTRACKING, name: 'clicktracking', optsOut: valueIs('off') }, // SendGrid
  { attribute: ATTR_SES_NO_TRACK, name: 'ses:no-track', optsOut: present }, // Amazon SES, boolean
  { attribute: ATTR_DISABLE_TRACKING, name: 'disable-tracking', optsOut: valueIs('true') },
  { attribute: ATTR_MSYS_CLICKTRACK, name: 'data-msys-clicktrack', optsOut: valueIs('0') }, // SparkPost
  { attribute: ATTR_MC_DISABLE_TRACKING, name: 'mc:disable-tracking', optsOut: present }, // Mailchimp, boolean
];
