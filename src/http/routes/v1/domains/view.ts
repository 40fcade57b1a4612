import { sendingStatus, trackingStatus } from '../../../../core/domains/status.js';
import type { TargetWarning } from '../../../../core/domains/targets.js';
import type { Domain } from '../../../../core/model.js';
import { SUBDOMAIN_CHANGE_INTERVAL_MS } from '../../../../services/domains.js';
import { domainJson } from '../../../schemas/domain.js';

/** A domain as every domain route returns it, with what is wrong with the server's own DNS targets. */
export function domainView(d: Domain, warnings: readonly TargetWarning[]) {
  return domainJson(d, {
    sending: sendingStatus(d.records),
    tracking: trackingStatus(d.records),
    changeInterval: SUBDOMAIN_CHANGE_INTERVAL_MS,
    warnings,
  });
}
