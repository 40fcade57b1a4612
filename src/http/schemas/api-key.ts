import { API_KEY_ROLES, type ApiKey } from '../../core/model.js';
import { iso } from './common.js';

const apiKeyProperties = {
  id: { type: 'string' },
  object: { type: 'string', const: 'api_key' },
  project_id: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string', enum: [...API_KEY_ROLES] },
  prefix: { type: 'string', description: 'the first characters of the key, to recognise it' },
  created_at: { type: 'string', format: 'date-time' },
  last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'the last request made with it (updated at most once a minute)' },
  expires_at: { type: ['string', 'null'], format: 'date-time', description: 'it stops working then; null: never' },
  domain_id: { type: ['string', 'null'], description: 'a sending key limited to this sending domain' },
} as const;

export const apiKeySchema = { $id: 'ApiKey', type: 'object', required: Object.keys(apiKeyProperties), properties: apiKeyProperties } as const;

export function apiKeyJson(k: ApiKey) {
  return {
    id: k.id,
    object: 'api_key',
    project_id: k.projectId,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
    expires_at: iso(k.expiresAt),
    domain_id: k.domainId,
  };
}
