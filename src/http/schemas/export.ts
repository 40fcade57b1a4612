import type { ExportJob } from '../../ports/exports.js';
import { iso } from './common.js';

export const exportSchema = {
  $id: 'Export',
  type: 'object',
  required: ['id', 'object', 'resource', 'filters', 'status', 'rows', 'rows_done', 'created_by', 'created_at', 'expires_at'],
  properties: {
    id: { type: 'string' },
    object: { type: 'string', const: 'export' },
    resource: { type: 'string' },
    filters: { type: 'object', additionalProperties: { type: 'string' } },
    status: { type: 'string', enum: ['running', 'completed', 'failed'] },
    rows: { type: ['integer', 'null'] },
    rows_done: { type: 'integer' },
    created_by: { type: 'string', description: 'id of the API key that asked for it' },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
    error: { type: ['string', 'null'] },
  },
} as const;

export function exportJson(job: ExportJob) {
  return {
    id: job.id,
    object: 'export',
    resource: job.resource,
    filters: job.filters,
    status: job.status,
    rows: job.rows,
    rows_done: job.rowsDone,
    created_by: job.createdBy,
    created_at: iso(job.createdAt),
    expires_at: iso(job.expiresAt),
    error: job.error,
  };
}
