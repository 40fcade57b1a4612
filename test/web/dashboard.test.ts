import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, signIn } from '../support/browser.js';
import { emailBody } from '../support/fixtures.js';
import { onServer, type RunningWaymark, startWaymark } from '../support/in-process.js';
import { WIDTHS, screenshot, seriousA11yViolations, settled } from '../support/screens.js';

/** Browser globals, for the functions that run inside the page (page.evaluate). */
declare const window: unknown;
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; activeElement: { textContent: string | null } | null };
declare function getComputedStyle(element: unknown, pseudo: string): { content: string };


const APPLE_MAIL = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
/** Apple Mail Privacy Protection's bare user agent (docs/classification.md, ua_bare_mozilla). */
const APPLE_MPP = 'Mozilla/5.0';
/** A security gateway naming itself (ua_security_scanner). */
const SCANNER = 'Mozilla/5.0 (compatible; Barracuda Sentinel)';
const percent = (r: number) => new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(r);
/**
 * The errors that are expected: a signed-out page's GET /v1/session is answered 401, and axe's
 * attempt to run inside the sandboxed preview is refused (the sandbox doing its job).
 */
const expected = (e: string) => /status of 401/.test(e) || /^console: Blocked script execution in '[^']*\/v1\/emails\/[^']*\/preview/.test(e);

describe('the dashboard in Chromium', { timeout: 120_000 }, () => {
  let s: RunningWaymark;
  let browser: Browser;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    browser = await launchBrowser();
  });
  // Each test's pages go before the next test and before the server stops: an open page keeps connections to it.
  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  async function newPage(width: number = 1440): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    return { page, errors: collectPageErrors(page) };
  }

  /**
   * A person opens (Apple Mail) and clicks the first link (Chrome); Apple Mail Privacy Protection
   * fetches the pixel and a security gateway follows the same link: two opens and two clicks, one
   * of each a person's.
   */
  const hit = async (id: string) => {
    const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
    const pixel = /src="([^"]*\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!;
    const link = /href="([^"]*\/v1\/track\/click\/[^"]+)"/.exec(html)![1]!;
    for (const ua of [APPLE_MAIL, APPLE_MPP]) expect((await fetch(onServer(s, pixel), { headers: { 'user-agent': ua } })).status).toBe(200);
    for (const ua of [CHROME, SCANNER]) expect((await fetch(onServer(s, link), { redirect: 'manual', headers: { 'user-agent': ua } })).status).toBe(302);
    await s.waymark.recorder.flush();
  };

  it('walkthrough: sign in, send, open and click, then see the overview, the timeline and the click map change', async () => {
    const { page, errors } = await newPage();
    await signIn(page, s.baseUrl, s.adminKey);
    await settled(page);
    const sentBefore = Number(await page.getByTestId('stat-sent').textContent());

    const { id } = (await s.api('POST', '/v1/emails', emailBody({ subject: 'Walkthrough', tags: [{ name: 'kind', value: 'walk' }] }))).body;
    await hit(id);

    await page.reload();
    await settled(page);
    const summary = (await s.api('GET', `/v1/analytics/summary?from=${encodeURIComponent(new Date(Date.now() - 8 * 86_400_000).toISOString())}`)).body;
    expect(Number(await page.getByTestId('stat-sent').textContent())).toBe(sentBefore + 1);
    expect(Number(await page.getByTestId('stat-sent').textContent())).toBe(summary.sent);
    // People's rates first, everything beside them: the machine open and click pull them apart.
    expect(summary.human_opens).toBeLessThan(summary.opens);
    expect(summary.human_open_rate).toBeLessThanOrEqual(summary.open_rate);
    expect(await page.getByTestId('stat-human-open-rate').textContent()).toBe(percent(summary.human_open_rate));
    expect(await page.getByTestId('stat-open-rate').textContent()).toBe(percent(summary.open_rate));
    expect(await page.getByTestId('stat-human-click-rate').textContent()).toBe(percent(summary.human_click_rate));
    expect(await page.getByTestId('stat-click-rate').textContent()).toBe(percent(summary.click_rate));
    expect(await page.getByTestId('stat-human-cto').textContent()).toBe(percent(summary.human_click_to_open_rate));
    await expect.poll(() => page.locator('.chart canvas').count()).toBe(1);
    const legend = await page.locator('.chart .u-legend').innerText();
    for (const series of ['Opened by people', 'Opened, all', 'Clicked by people', 'Clicked, all']) expect(legend).toContain(series);
    // The clients table: people's and machines' opens per client, as the API counts them.
    const clients = (await s.api('GET', `/v1/analytics/clients?from=${encodeURIComponent(new Date(Date.now() - 8 * 86_400_000).toISOString())}`)).body;
    const clientsCard = page.locator('section.card', { has: page.getByRole('heading', { name: 'Clients' }) });
    for (const c of clients.clients as Array<{ name: string; human_opens: number; machine_opens: number }>) {
      const cells = await clientsCard.locator('tbody tr', { has: page.getByRole('cell', { name: c.name, exact: true }) }).locator('td').allInnerTexts();
      expect([cells[1], cells[3]], c.name).toEqual([String(c.human_opens), String(c.machine_opens)]);
    }
    expect(clients.clients.some((c: { machine_opens: number }) => c.machine_opens > 0)).toBe(true);
    expect(await clientsCard.getByRole('cell', { name: 'Apple Mail' }).count()).toBeGreaterThan(0);

    // A custom range that ends before the email: nothing sent in it.
    await page.getByLabel('Range').selectOption({ label: 'Custom…' });
    await page.getByLabel('From', { exact: true }).fill('2026-01-01T00:00');
    await page.getByLabel('To', { exact: true }).fill('2026-01-02T00:00');
    await expect.poll(() => page.getByTestId('stat-sent').textContent()).toBe('0');

    await page.getByRole('link', { name: 'Emails' }).click();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No email matches these filters').waitFor();
    await page.getByLabel('Status').selectOption('captured');
    const row = page.getByTestId('emails').locator('tbody tr', { hasText: 'Walkthrough' });
    await row.waitFor();
    expect(await row.locator('.human-of-all').allInnerTexts()).toEqual(['1 of 2', '1 of 2']);
    await page.getByRole('link', { name: 'Walkthrough' }).click();
    await settled(page);
    const counts = Object.fromEntries(
      await Promise.all(['email-human-opens', 'email-machine-opens', 'email-opens', 'email-human-clicks', 'email-machine-clicks', 'email-clicks'].map(async (t) => [t, await page.getByTestId(t).textContent()])),
    );
    expect(counts).toEqual({ 'email-human-opens': '1', 'email-machine-opens': '1', 'email-opens': '2', 'email-human-clicks': '1', 'email-machine-clicks': '1', 'email-clicks': '2' });
    const timeline = await page.getByTestId('timeline').innerText();
    expect(timeline).toMatch(/clicked/);
    expect(timeline).toMatch(/opened/);
    expect(timeline).toMatch(/sent/);

    // Each open and click with its label; the machine's with its proxy and the rule that decided.
    const mpp = page.getByTestId('timeline').locator(':scope > li', { has: page.locator('[data-classification="apple_mpp"]') });
    expect(await mpp.count()).toBe(1);
    expect(await mpp.locator('.badge').allInnerTexts()).toEqual(['opened', 'Apple MPP']);
    expect(await mpp.innerText()).toContain('via Apple');
    await mpp.getByText('Why this label').click();
    expect(await mpp.locator('details.why').innerText()).toMatch(/ua_bare_mozilla[\s\S]*GET request/);
    const scanner = page.getByTestId('timeline').locator(':scope > li', { has: page.locator('[data-classification="security_scanner"]') });
    expect(await scanner.locator('.badge').allInnerTexts()).toEqual(['clicked', 'Scanner']);
    expect(await page.getByTestId('timeline').locator('[data-classification="human"]').allInnerTexts()).toEqual(['Person', 'Person']);

    // The filter asks the API for machines' opens and clicks only.
    await page.getByRole('combobox', { name: /^Show/ }).selectOption({ label: 'opens and clicks by machines' });
    await expect.poll(() => page.getByTestId('timeline').locator(':scope > li').count()).toBe(2);
    expect((await page.getByTestId('timeline').locator('[data-classification]').allInnerTexts()).sort()).toEqual(['Apple MPP', 'Scanner']);
    expect(await page.getByTestId('timeline').locator('[data-classification="human"]').count()).toBe(0);
    await page.getByRole('combobox', { name: /^Show/ }).selectOption({ label: 'every event' });
    await expect.poll(() => page.getByTestId('timeline').locator(':scope > li').count()).toBe(5);

    // The links table: people's clicks beside all clicks.
    expect(await page.getByTestId('links').locator('tbody tr').first().locator('.human-of-all').allInnerTexts()).toEqual(['1 of 2', '1 of 1']);

    const links = (await s.api('GET', `/v1/analytics/links?email_id=${id}`)).body.data as Array<{ index: number; clicks: number; unique_clicks: number }>;
    const preview = page.frameLocator('iframe[title="Message preview"]');
    const badge = await preview.locator('a[href="#waymark-link-0"]').evaluate((a) => getComputedStyle(a, '::after').content);
    expect(links[0]).toMatchObject({ clicks: 2, unique_clicks: 1 });
    expect(badge).toBe('"2 clicks · 1 unique · 100%"');
    expect(await preview.locator('a[href="#waymark-link-1"]').evaluate((a) => getComputedStyle(a, '::after').content)).toBe('"0 clicks · 0 unique · 0%"');

    // Looking at the message recorded nothing: its pixel never loaded.
    await page.reload();
    await settled(page);
    await s.waymark.recorder.flush();
    const email = (await s.api('GET', `/v1/emails/${id}`)).body;
    expect([email.open_count, email.click_count]).toEqual([2, 2]);
    expect(errors.filter((e) => !expected(e))).toEqual([]);
  });

  it('says where an aggregate-only email is counted: on the overview and on the email, never as zeros', async () => {
    const { page, errors } = await newPage();
    await signIn(page, s.baseUrl, s.adminKey);
    await settled(page);
    expect(await page.getByTestId('aggregate-only-note').count()).toBe(0);
    const sent = await s.api('POST', '/v1/emails', emailBody({ subject: 'Counted in aggregate', tracking: { open: true, click: true, aggregate_only: true } }));
    const { id } = sent.body;
    await hit(id);

    await page.reload();
    await settled(page);
    const summary = (await s.api('GET', `/v1/analytics/summary?from=${encodeURIComponent(new Date(Date.now() - 8 * 86_400_000).toISOString())}`)).body;
    expect(summary.aggregate_only_sent).toBe(1);
    expect(await page.getByTestId('aggregate-only-note').innerText()).toBe(
      `1 of these ${summary.sent} emails was sent in aggregate-only mode: its opens and clicks are counted above, but not among the emails opened or clicked, so the rates are over the other ${summary.sent - 1}.`,
    );

    await page.goto(`${s.baseUrl}/emails/${id}`);
    await settled(page);
    expect(await page.getByTestId('email-aggregate-only').innerText()).toMatch(/^Counted in aggregate only/);
    expect(await page.getByTestId('email-opens').count()).toBe(0);
    const engagement = page.locator('section.card', { has: page.getByRole('heading', { name: 'Engagement' }) });
    expect(await engagement.locator('.facts').innerText()).toMatch(/Tracking\s+opens on · clicks [a-z ]+ · aggregate only$/);
    expect(errors.filter((e) => !expected(e))).toEqual([]);
  });

  it('shows untrusted text as text: no payload in any field runs', async () => {
    const payload = `<script>window.__xss=1</script>"><img src=x onerror="window.__xss=1">`;
    const { id } = (
      await s.api(
        'POST',
        '/v1/emails',
        emailBody({
          from: `"<img src=x onerror=window.__xss=1><script>window.__xss=1</script>" <x@acme.test>`,
          subject: `Subject ${payload}`,
          html: `<p><a href="https://example.com/?q=%22%3E%3Cimg%20src=x%20onerror=window.__xss=1%3E">${payload.replace(/</g, '&lt;')}</a></p>`,
        }),
      )
    ).body;
    const html = (await s.api('GET', `/v1/emails/${id}`)).body.html as string;
    const pixel = /src="([^"]*\/v1\/track\/open\/[^"]+)"/.exec(html)![1]!;
    await fetch(onServer(s, pixel), { headers: { 'user-agent': payload } });
    await s.waymark.recorder.flush();
    const endpoint = (await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', description: payload })).body.endpoint.id;
    await s.api('POST', '/v1/api-keys', { name: payload.slice(0, 100) });

    const { page, errors } = await newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await signIn(page, s.baseUrl, s.adminKey);
    for (const path of ['/', '/emails', `/emails/${id}`, '/links', '/webhooks', `/webhooks/${endpoint}`, '/api-keys']) {
      await page.goto(s.baseUrl + path);
      await settled(page);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path).toBeUndefined();
    }
    await page.goto(`${s.baseUrl}/emails/${id}`);
    await settled(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Subject ${payload}`);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toBe(0);
    expect(errors.filter((e) => !expected(e))).toEqual([]);
  });

  it('keeps admin actions from a member key', async () => {
    const member = (await s.api('POST', '/v1/api-keys', { name: 'viewer', role: 'member' })).body.key;
    const domain = (await s.api('POST', '/v1/domains', { name: 'member-view.example.test' })).body.id;
    const { page } = await newPage();
    await signIn(page, s.baseUrl, member);
    await page.goto(`${s.baseUrl}/domains`);
    await settled(page);
    expect(await page.getByRole('button', { name: 'Add domain' }).count()).toBe(0);
    await page.goto(`${s.baseUrl}/domains/${domain}`);
    await settled(page);
    expect(await page.getByRole('button', { name: 'Verify' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await page.getByLabel('Track opens of mail from this domain').isDisabled()).toBe(true);
    expect(await page.getByLabel('Trap link').isDisabled()).toBe(true);
    await page.goto(`${s.baseUrl}/api-keys`);
    await settled(page);
    expect(await page.getByText('Listing and creating keys needs an admin key.').count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
  });

  it('every screen, at 375 and 1440 px: screenshots, and no serious or critical accessibility finding', async () => {
    const { id } = (await s.api('POST', '/v1/emails', emailBody({ subject: 'Spring sale', tags: [{ name: 'kind', value: 'sale' }] }))).body;
    await hit(id);
    const domain = (await s.api('POST', '/v1/domains', { name: 'mail.example.test' })).body.id;
    await s.api('PATCH', `/v1/domains/${domain}`, { tracking_subdomain: 'links', open_tracking: true });
    const endpoint = (await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', description: 'CRM' })).body.endpoint.id;
    // One delivery in the log (its first attempt refused: nothing listens on port 9).
    await s.api('POST', `/v1/webhooks/${endpoint}/test`);
    await expect.poll(async () => (await s.api('GET', `/v1/webhooks/${endpoint}/deliveries`)).body.data[0]?.attempts, { timeout: 10_000 }).toBe(1);
    await s.api('POST', '/v1/exports', { resource: 'emails' });
    const screens: Array<[string, string]> = [
      ['overview', '/'],
      ['emails', '/emails'],
      ['email', `/emails/${id}`],
      ['links', '/links'],
      ['domains', '/domains'],
      ['domain', `/domains/${domain}`],
      ['webhooks', '/webhooks'],
      ['webhook', `/webhooks/${endpoint}`],
      ['exports', '/exports'],
      ['api-keys', '/api-keys'],
    ];
    const findings: string[] = [];
    for (const width of WIDTHS) {
      const { page, errors } = await newPage(width);
      await page.goto(s.baseUrl + '/');
      await page.getByLabel('API key').waitFor();
      await screenshot(page, 'sign-in');
      findings.push(...(await seriousA11yViolations(page)).map((f) => `sign-in@${width}: ${f}`));
      await signIn(page, s.baseUrl, s.adminKey);
      for (const [name, path] of screens) {
        await page.goto(s.baseUrl + path);
        await settled(page);
        // The email's screenshot shows why a machine's open was labelled so.
        if (name === 'email') await page.locator('details.why summary').first().click();
        await screenshot(page, name);
        findings.push(...(await seriousA11yViolations(page)).map((f) => `${name}@${width}: ${f}`));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
        // A badge is one line: taller than that, its text wrapped.
        // The element type spelled out: this file is compiled without the DOM library.
        type Badge = { getBoundingClientRect(): { height: number }; textContent: string | null };
        const wrapped = await page.locator('.badge').evaluateAll((badges: Badge[]) => badges.filter((b) => b.getBoundingClientRect().height > 26).map((b) => b.textContent));
        expect(wrapped, `${name} at ${width} px has wrapped badges`).toEqual([]);
      }
      expect(errors.filter((e) => !expected(e))).toEqual([]);
    }
    expect(findings).toEqual([]);
  }, 300_000);

  it('can be used from the keyboard alone: skip link, menu and sign-in', async () => {
    const { page } = await newPage(375);
    await page.goto(s.baseUrl + '/');
    await page.getByLabel('API key').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(s.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Menu');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Emails');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Emails', level: 1 }).waitFor();
  });
});
