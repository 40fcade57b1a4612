import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('the trap link setting of a domain on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('is off by default', async () => {
    const created = await s.api('POST', '/v1/domains', { name: 'plain.example.test' });
    expect(created.status).toBe(201);
    expect(created.body.trap_link).toBe(false);
    expect((await s.api('GET', `/v1/domains/${created.body.id}`)).body.trap_link).toBe(false);
  });

  it('is set on create, changed by PATCH alone, and read back by GET and the list', async () => {
    const created = await s.api('POST', '/v1/domains', { name: 'trap.example.test', click_tracking: true, trap_link: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ trap_link: true, click_tracking: true, open_tracking: false });
    const id = created.body.id as string;
    expect((await s.api('GET', `/v1/domains/${id}`)).body.trap_link).toBe(true);

    // Another setting leaves it as it is.
    expect((await s.api('PATCH', `/v1/domains/${id}`, { open_tracking: true })).body).toMatchObject({ trap_link: true, open_tracking: true });
    const off = await s.api('PATCH', `/v1/domains/${id}`, { trap_link: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ trap_link: false, open_tracking: true, click_tracking: true });
    expect((await s.api('GET', `/v1/domains/${id}`)).body.trap_link).toBe(false);
    expect((await s.api('PATCH', `/v1/domains/${id}`, { trap_link: true })).body.trap_link).toBe(true);
    const listed = (await s.api('GET', '/v1/domains')).body.data.find((d: { id: string }) => d.id === id);
    expect(listed.trap_link).toBe(true);
  });

  it('refuses a value that is not a boolean', async () => {
    const res = await s.api('POST', '/v1/domains', { name: 'bad.example.test', trap_link: 'yes' });
    expect(res.status).toBe(422);
    const d = (await s.api('POST', '/v1/domains', { name: 'good.example.test' })).body;
    expect((await s.api('PATCH', `/v1/domains/${d.id}`, { trap_link: 'yes' })).status).toBe(422);
  });
});
