import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../test/support/in-process.js';

describe('GET /v1/openapi.json', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  it('documents every route from its schema, without authentication', async () => {
    const res = await fetch(`${s.baseUrl}/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/analytics/clients',
        '/v1/analytics/links',
        '/v1/analytics/summary',
        '/v1/analytics/timeseries',
        '/v1/api-keys',
        '/v1/api-keys/{id}',
        '/v1/domains',
        '/v1/domains/{id}',
        '/v1/domains/{id}/verify',
        '/v1/emails',
        '/v1/emails/{id}',
        '/v1/emails/{id}/events',
        '/v1/emails/{id}/raw',
        '/v1/emails/{id}/preview',
        '/v1/events',
        '/v1/exports',
        '/v1/exports/{id}/download',
        '/v1/session',
        '/v1/tls/ask',
        '/v1/track/click/{token}',
        '/v1/track/open/{token}',
        '/v1/webhooks',
        '/v1/webhooks/{id}',
        '/v1/webhooks/{id}/deliveries',
        '/v1/webhooks/{id}/deliveries/{deliveryId}/retry',
        '/v1/webhooks/{id}/replay',
        '/v1/webhooks/{id}/rotate-secret',
        '/v1/webhooks/{id}/signing-secret/rotate',
        '/v1/webhooks/{id}/test',
      ].sort(),
    );
    expect(doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema.anyOf).toEqual([{ required: ['url'] }, { required: ['endpoint'] }]);
    expect(Object.keys(doc.paths['/v1/webhooks/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/v1/domains/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/v1/domains'].post.requestBody.content['application/json'].schema.required).toEqual(['name']);
    const domainRef = doc.paths['/v1/domains/{id}'].get.responses['200'].content['application/json'].schema.$ref.split('/').pop();
    expect(doc.components.schemas[domainRef].properties.status.enum).toContain('partially_failed');
    expect(doc.paths['/v1/emails'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('tracking');
  });

  it('documents the CSV answers of the export routes and the answers every route of a kind gives', async () => {
    const doc = (await (await fetch(`${s.baseUrl}/v1/openapi.json`)).json()) as any;
    for (const op of [doc.paths['/v1/exports'].post, doc.paths['/v1/exports/{id}/download'].get]) {
      expect(op.responses['200'].content['text/csv'].schema).toEqual({ type: 'string' });
    }
    expect(Object.keys(doc.paths['/v1/exports'].post.responses).sort()).toEqual(['200', '202', '400', '401', '403', '413', '415', '422']);
    expect(Object.keys(doc.paths['/v1/api-keys/{id}'].delete.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '422']);
    expect(Object.keys(doc.paths['/v1/tls/ask'].get.responses)).not.toContain('401');
    expect(Object.keys(doc.paths['/v1/track/open/{token}'].get.responses)).toEqual(['200']);
  });
});
