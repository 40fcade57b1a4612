import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';

const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const GMAIL_PROXY = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';

async function send(s: RunningWaymark): Promise<{ id: string; pixel: string; links: string[] }> {
  const id = (await s.api('POST', '/v1/emails', emailBody())).body.id as string;
  const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
  const pixel = onServer(s, /src="([^"]+\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!);
  const links = [...html.matchAll(/href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)"/g)].map((m) => onServer(s, m[1]!));
  return { id, pixel, links };
}

describe.each(backends())('who made each hit, end to end, on %s', (backend) => {
  let dir: string;
  let s: RunningWaymark | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'waymark-ip-lists-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('labels each open and click, filters events by label and proxy, and counts the split', async () => {
    s = await startWaymark({ backend });
    const a = await send(s);
    expect((await fetch(a.pixel, { headers: { 'user-agent': GMAIL_PROXY } })).status).toBe(200);
    expect((await fetch(a.pixel, { headers: { 'user-agent': 'Mozilla/5.0' } })).status).toBe(200);
    expect((await fetch(a.links[0]!, { redirect: 'manual', headers: { 'user-agent': SAFARI } })).status).toBe(302);

    const events = (await s.api('GET', `/v1/emails/${a.id}/events?limit=10`)).body.data as Array<Record<string, any>>;
    const byUa = (ua: string) => events.find((e) => e.user_agent === ua)!;
    expect(byUa(GMAIL_PROXY)).toMatchObject({ type: 'opened', classification: 'human', proxy: 'google' });
    expect(byUa(GMAIL_PROXY).signals).toMatchObject({ version: 1, method: 'GET', ip_list: null });
    expect(byUa(GMAIL_PROXY).signals.rules).toContain('ua_gmail_image_proxy');
    expect(byUa('Mozilla/5.0')).toMatchObject({ type: 'opened', classification: 'apple_mpp', proxy: 'apple' });
    expect(byUa(SAFARI)).toMatchObject({ type: 'clicked', classification: 'human', proxy: null });
    const sent = events.find((e) => e.type === 'sent')!;
    expect([sent.classification, sent.proxy, sent.signals]).toEqual([null, null, null]);

    const machine = (await s.api('GET', `/v1/events?classification=machine&limit=10`)).body.data as Array<{ id: string }>;
    expect(machine.map((e) => e.id)).toEqual([byUa('Mozilla/5.0').id]);
    const google = (await s.api('GET', `/v1/emails/${a.id}/events?proxy=google`)).body.data as Array<{ id: string }>;
    expect(google.map((e) => e.id)).toEqual([byUa(GMAIL_PROXY).id]);
    expect((await s.api('GET', '/v1/events?classification=robot')).status).toBe(422);

    const email = (await s.api('GET', `/v1/emails/${a.id}`)).body;
    expect(email).toMatchObject({ open_count: 2, human_open_count: 1, machine_open_count: 1, click_count: 1, human_click_count: 1, machine_click_count: 0 });
    expect(email.human_opened_at).not.toBeNull();
    expect(await (await fetch(`${s.baseUrl}/v1/analytics/summary`, { headers: { authorization: `Bearer ${s.adminKey}` } })).json()).toMatchObject({
      opens: 2,
      human_opens: 1,
      machine_opens: 1,
      human_opened: 1,
      human_clicked: 1,
    });
  });

  it("labels a hit from an address in the operator's machine IP list, before the address is anonymised", async () => {
    const list = path.join(dir, `gateway-${backend}.txt`);
    writeFileSync(list, '# label: security_scanner\n127.0.0.1/32\n');
    s = await startWaymark({ backend, env: { WAYMARK_MACHINE_IP_LISTS: list, WAYMARK_IP_MODE: 'none' } });
    const a = await send(s);
    await fetch(a.links[0]!, { redirect: 'manual', headers: { 'user-agent': SAFARI } });
    const [click] = (await s.api('GET', `/v1/emails/${a.id}/events?type=clicked`)).body.data;
    expect(click).toMatchObject({ ip: null, classification: 'security_scanner' });
    expect(click.signals).toMatchObject({ ip_list: 'security_scanner' });
  });

  it('refuses to start on a machine IP list that does not parse, naming the line', async () => {
    const list = path.join(dir, `bad-${backend}.txt`);
    writeFileSync(list, '10.0.0.0/8 security_scanner\nnot-an-address other_machine\n');
    await expect(startWaymark({ backend, env: { WAYMARK_MACHINE_IP_LISTS: list } })).rejects.toThrow(/line 2/);
  });
});
