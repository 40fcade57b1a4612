import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../../../../../test/support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../../../../../test/support/in-process.js';

describe('dashboard sessions', () => {
  let s: RunningWaymark;
  let now = Date.now();
  beforeAll(async () => {
    s = await startWaymark({ clock: { now: () => now }, env: { WAYMARK_TRUSTED_PROXIES: '127.0.0.1' } });
  });
  afterAll(() => s.stop());

  const signIn = async (key: string, headers: Record<string, string> = { origin: s.baseUrl }) => {
    const res = await fetch(`${s.baseUrl}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });
    return { status: res.status, cookie: res.headers.get('set-cookie'), body: (await res.json()) as any };
  };
  const cookieOf = (setCookie: string | null) => setCookie!.split(';')[0]!;
  const withCookie = (cookie: string, method = 'GET', path = '/v1/emails', body?: unknown, origin: string | null = s.baseUrl) =>
    fetch(`${s.baseUrl}${path}`, {
      method,
      headers: { cookie, ...(origin ? { origin } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const emails = async () => (await s.api('GET', '/v1/emails?limit=100')).body.data.length;

  it('signs in with a key: an HttpOnly, SameSite=Strict cookie for 12 hours, without Secure over http', async () => {
    const res = await signIn(s.adminKey);
    expect(res.status).toBe(200);
    expect(res.body.api_key.role).toBe('admin');
    expect(res.cookie).toMatch(/^waymark_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await withCookie(cookieOf(res.cookie))).status).toBe(200);
  });

  it('sets Secure behind a trusted proxy that says https', async () => {
    const res = await signIn(s.adminKey, { origin: 'https://waymark.example', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'waymark.example' });
    expect(res.status).toBe(200);
    expect(res.cookie).toMatch(/; Secure/);
  });

  it('refuses a sign-in from another origin, a bad key and a sending key', async () => {
    expect((await signIn(s.adminKey, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await signIn(s.adminKey, {})).status).toBe(403);
    const bad = await signIn('wm_nope');
    expect(bad.status).toBe(401);
    expect(bad.cookie).toBeNull();
    const sending = (await s.api('POST', '/v1/api-keys', { name: 'app', role: 'sending' })).body.key;
    const res = await signIn(sending);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/sign in with an admin or member key/);
  });

  it('refuses a cookie-authenticated change from another origin (CSRF), and changes nothing', async () => {
    const cookie = cookieOf((await signIn(s.adminKey)).cookie);
    const before = await emails();
    for (const origin of ['https://evil.example', null]) {
      const res = await withCookie(cookie, 'POST', '/v1/emails', emailBody(), origin);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('forbidden');
    }
    expect(await emails()).toBe(before);
    expect((await withCookie(cookie, 'POST', '/v1/emails', emailBody())).status).toBe(201);
    expect(await emails()).toBe(before + 1);
  });

  it('ends with the key: revoked, past its 12 hours, tampered with, or signed out', async () => {
    const member = (await s.api('POST', '/v1/api-keys', { name: 'viewer', role: 'member' })).body;
    const cookie = cookieOf((await signIn(member.key)).cookie);
    expect((await withCookie(cookie)).status).toBe(200);
    expect((await withCookie(cookie, 'POST', '/v1/api-keys', { name: 'x' })).status).toBe(403);

    const [name, value] = cookie.split('=') as [string, string];
    const tampered = `${name}=${value.slice(0, -2)}${value.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await withCookie(tampered)).status).toBe(401);

    await s.api('DELETE', `/v1/api-keys/${member.api_key.id}`);
    const revoked = await withCookie(cookie);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as any).error.message).toBe('the session has ended: sign in again');

    const admin = cookieOf((await signIn(s.adminKey)).cookie);
    now += 12 * 3_600_000;
    expect((await withCookie(admin)).status).toBe(401);
    now -= 12 * 3_600_000;

    const out = await fetch(`${s.baseUrl}/v1/session`, { method: 'DELETE', headers: { cookie: admin, origin: s.baseUrl } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^waymark_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict|^waymark_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('tells the dashboard which key it is signed in with', async () => {
    const cookie = cookieOf((await signIn(s.adminKey)).cookie);
    const res = await withCookie(cookie, 'GET', '/v1/session');
    expect(((await res.json()) as any).api_key).toMatchObject({ name: 'admin', role: 'admin' });
    expect((await fetch(`${s.baseUrl}/v1/session`)).status).toBe(401);
  });
});

describe('the dashboard page', () => {
  let s: RunningWaymark;
  beforeAll(async () => {
    s = await startWaymark();
  });
  afterAll(() => s.stop());

  it('is served at / and on its own paths with a CSP that allows no inline script and no framing', async () => {
    for (const path of ['/', '/emails', '/domains/0190c3a0-0000-7000-8000-000000000000']) {
      const res = await fetch(s.baseUrl + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await res.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
      expect(html.match(/<script\b[^>]*>/g)!.every((tag) => / src="/.test(tag))).toBe(true);
    }
    expect((await fetch(s.baseUrl + '/v1/nope')).status).toBe(404);
    expect((await fetch(s.baseUrl + '/favicon.ico')).status).toBe(404);
  });
});
