import type { ApiKey } from '../../core/model.js';
import { iso } from './common.js';

export const apiKeySchema = {
  $id: 'ApiKey',
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string', const: 'api_key' },
    project_id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'member'] },
    prefix: { type: 'string', description: 'the first characters of the key, to recognise it' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

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
  };
}
