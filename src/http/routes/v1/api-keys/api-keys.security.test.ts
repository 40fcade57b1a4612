import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../bootstrap/logger.js';
import { type Waymark, createWaymark } from '../../../../bootstrap/waymark.js';
import { systemClock } from '../../../../ports/clock.js';
import { createProject } from '../../../../services/projects.js';
import { backends } from '../../../../../test/support/backends.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe.each(backends())('API key revocation and scope, on %s', (backend) => {
  let s: RunningWaymark;
  let second: Waymark;
  let secondUrl: string;
  beforeAll(async () => {
    s = await startWaymark({ backend });
    // A second node on the same database (its own journal): a revocation must hold there at once too.
    second = await createWaymark({ ...s.config, journalDir: `${s.config.journalDir}-second` }, { keyring: s.keyring, logger: createLogger('silent') });
    secondUrl = await second.listen();
  });
  afterAll(async () => {
    await second.close();
    await s.stop();
  });

  const get = (base: string, key: string) => fetch(`${base}/v1/emails`, { headers: { authorization: `Bearer ${key}` } });

  it('a key revoked on one node is refused by every node from the next request', async () => {
    const { key, api_key } = (await s.api('POST', '/v1/api-keys', { name: 'both', role: 'member' })).body;
    expect((await get(s.baseUrl, key)).status).toBe(200);
    expect((await get(secondUrl, key)).status).toBe(200);
    expect((await s.api('DELETE', `/v1/api-keys/${api_key.id}`)).status).toBe(200);
    expect((await get(secondUrl, key)).status).toBe(401);
    expect((await get(s.baseUrl, key)).status).toBe(401);
  });

  it('a member key may neither list, create nor revoke keys', async () => {
    const member = (await s.api('POST', '/v1/api-keys', { name: 'm', role: 'member' })).body;
    const target = (await s.api('POST', '/v1/api-keys', { name: 't', role: 'member' })).body.api_key;
    const as = { authorization: `Bearer ${member.key}` };
    expect((await s.api('GET', '/v1/api-keys', undefined, as)).status).toBe(403);
    expect((await s.api('POST', '/v1/api-keys', { name: 'x', role: 'admin' }, as)).status).toBe(403);
    expect((await s.api('DELETE', `/v1/api-keys/${target.id}`, undefined, as)).status).toBe(403);
    expect((await s.api('GET', '/v1/api-keys')).body.data.map((k: { id: string }) => k.id)).toContain(target.id);
  });

  it("an admin of another project cannot revoke this project's keys (404)", async () => {
    const other = await createProject(s.waymark.store, systemClock, 'Other team');
    const otherAdmin = (await s.waymark.apiKeys.issue(other.id, 'other admin', 'admin')).secret;
    const target = (await s.api('POST', '/v1/api-keys', { name: 'mine', role: 'member' })).body;
    const res = await s.api('DELETE', `/v1/api-keys/${target.api_key.id}`, undefined, { authorization: `Bearer ${otherAdmin}` });
    expect(res.status).toBe(404);
    expect((await get(s.baseUrl, target.key)).status).toBe(200);
  });
});
