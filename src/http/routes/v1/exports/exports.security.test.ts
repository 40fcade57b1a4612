import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('exports access', () => {
  let s: RunningWaymark;
  let member = '';
  beforeAll(async () => {
    s = await startWaymark({ backend: 'sqlite' });
    member = (await s.api('POST', '/v1/api-keys', { name: 'member', role: 'member' })).body.key as string;
  });
  afterAll(() => s.stop());

  const as = (key: string, method: string, path: string, body?: unknown) =>
    fetch(s.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('lets only admin keys create and download, and members list', async () => {
    const denied = await as(member, 'POST', '/v1/exports', { resource: 'emails' });
    expect(denied.status).toBe(403);
    const made = await as(s.adminKey, 'POST', '/v1/exports', { resource: 'emails' });
    expect(made.status).toBe(200);
    const id = made.headers.get('x-export-id')!;
    const list = await as(member, 'GET', '/v1/exports');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: Array<{ id: string }> }).data.map((j) => j.id)).toEqual([id]);
    expect((await as(member, 'GET', `/v1/exports/${id}/download`)).status).toBe(403);
    expect((await fetch(`${s.baseUrl}/v1/exports`)).status).toBe(401);
  });
});
