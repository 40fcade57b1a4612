import { sendingStatus, trackingStatus } from '../../../../core/domains/status.js';
import type { Domain } from '../../../../core/model.js';
import { SUBDOMAIN_CHANGE_INTERVAL_MS } from '../../../../services/domains.js';
import { domainJson } from '../../../schemas/domain.js';

/** A domain as every domain route returns it. */
export function domainView(d: Domain) {
  return domainJson(d, { sending: sendingStatus(d.records), tracking: trackingStatus(d.records), changeInterval: SUBDOMAIN_CHANGE_INTERVAL_MS });
}
