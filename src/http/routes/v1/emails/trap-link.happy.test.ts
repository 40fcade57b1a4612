import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/support/backends.js';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, onServer, startWaymark } from '../../../../../test/support/in-process.js';
import { TRAP_LINK_INDEX } from '../../../../core/classification/trap.js';
import { decodeToken } from '../../../../core/tokens/index.js';

const TRAP = /<a href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/([A-Za-z0-9_-]+))" aria-hidden="true" tabindex="-1" style="[^"]+"><\/a>/g;
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

async function send(s: RunningWaymark, overrides: Record<string, unknown>): Promise<{ id: string; html: string; links: Array<{ url: string }> }> {
  const created = await s.api('POST', '/v1/emails', emailBody(overrides));
  expect(created.status).toBe(201);
  const email = (await s.api('GET', `/v1/emails/${created.body.id}`)).body;
  return { id: created.body.id, html: email.html, links: email.links };
}

function traps(html: string): RegExpExecArray[] {
  return [...html.matchAll(TRAP)];
}

/** The email's events, once `count` clicks are recorded (hits are written in batches). */
async function clicksOf(s: RunningWaymark, id: string, count: number): Promise<Array<{ link_index: number; classification: string }>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const events = (await s.api('GET', `/v1/emails/${id}/events`)).body.data.filter((e: { type: string }) => e.type === 'clicked');
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(backends())('the trap link in sent emails on %s', (backend) => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark({ backend });
  });
  afterAll(() => s.stop());

  it('puts one hidden anchor into the stored html when the email asks, and keeps it out of links', async () => {
    const on = await send(s, { tracking: { open: true, click: true, trap_link: true } });
    const found = traps(on.html);
    expect(found).toHaveLength(1);
    expect(on.html).toMatch(/<body>\n?<a href="[^"]+" aria-hidden="true"/);
    const token = decodeToken(s.keyring, found[0]![2]!);
    expect(token).toMatchObject({ kind: 'click', emailId: on.id, linkIndex: TRAP_LINK_INDEX, destination: 'https://example.com/a?x=1&y=2#top' });

    const off = await send(s, { tracking: { open: true, click: true } });
    expect(traps(off.html)).toEqual([]);
    expect(off.html).not.toContain('aria-hidden');
    expect(on.links).toEqual(off.links);
    expect((await send(s, { tracking: { click: true, trap_link: false } })).html).not.toContain('aria-hidden');
  });

  it('needs tracked links in the html part', async () => {
    expect(traps((await send(s, { tracking: { open: true, trap_link: true } })).html)).toEqual([]);
    expect(traps((await send(s, { tracking: { click: 'text', trap_link: true } })).html)).toEqual([]);
  });

  it("follows the sending domain's setting unless the email says otherwise", async () => {
    const domain = (await s.api('POST', '/v1/domains', { name: 'trapped.example.test', click_tracking: true, trap_link: true })).body;
    expect(domain.trap_link).toBe(true);
    const from = 'News <news@trapped.example.test>';
    expect(traps((await send(s, { from, tracking: undefined })).html)).toHaveLength(1);
    expect(traps((await send(s, { from, tracking: { trap_link: false } })).html)).toEqual([]);
    await s.api('PATCH', `/v1/domains/${domain.id}`, { trap_link: false });
    expect(traps((await send(s, { from, tracking: undefined })).html)).toEqual([]);
    expect(traps((await send(s, { from, tracking: { trap_link: true } })).html)).toHaveLength(1);
  });

  it('is part of the request an Idempotency-Key stands for', async () => {
    const headers = { 'idempotency-key': `trap-${backend}` };
    const first = await s.api('POST', '/v1/emails', emailBody({ tracking: { click: true, trap_link: true } }), headers);
    expect(first.status).toBe(201);
    expect((await s.api('POST', '/v1/emails', emailBody({ tracking: { trap_link: true, click: true } }), headers)).status).toBe(200);
    expect((await s.api('POST', '/v1/emails', emailBody({ tracking: { click: true } }), headers)).status).toBe(409);
  });

  it('labels a click on it, and a real click in the same second, as not a person’s', async () => {
    const { id, html } = await send(s, { tracking: { open: true, click: true, trap_link: true } });
    const trapUrl = onServer(s, traps(html)[0]![1]!);
    const real = /<a href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)">Read the post/.exec(html)![1]!;
    // A scanner follows every link of the message in order, the hidden one first.
    const trapRes = await fetch(trapUrl, { redirect: 'manual', headers: { 'user-agent': CHROME } });
    const realRes = await fetch(onServer(s, real), { redirect: 'manual', headers: { 'user-agent': CHROME } });
    expect(trapRes.status).toBe(302);
    expect(trapRes.headers.get('location')).toBe('https://example.com/a?x=1&y=2#top');
    expect(realRes.status).toBe(302);

    const clicks = await clicksOf(s, id, 2);
    expect(clicks.map((c) => c.link_index).sort((a, b) => a - b)).toEqual([0, TRAP_LINK_INDEX]);
    for (const c of clicks) expect(c.classification, `link ${c.link_index}`).not.toBe('human');

    // The same click on an email without the trap is a person's: the trap made the difference.
    const plain = await send(s, { tracking: { open: true, click: true } });
    const plainReal = /<a href="(http:\/\/track\.waymark\.test\/v1\/track\/click\/[^"]+)">Read the post/.exec(plain.html)![1]!;
    expect((await fetch(onServer(s, plainReal), { redirect: 'manual', headers: { 'user-agent': CHROME } })).status).toBe(302);
    expect((await clicksOf(s, plain.id, 1)).map((c) => c.classification)).toEqual(['human']);
  });
});
