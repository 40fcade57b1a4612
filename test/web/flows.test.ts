import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn } from '../support/browser.js';
import { type DomainsHarness, startDomainsHarness, zoneFor } from '../support/domains.js';
import { emailBody } from '../support/fixtures.js';
import { type RunningWaymark, startWaymark } from '../support/in-process.js';
import { settled, watchRequests } from '../support/screens.js';
import { startReceiver } from '../support/webhook-receiver.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
// Each test's pages go before its server stops: an open page keeps connections to it.
afterEach(async () => {
  for (const context of browser?.contexts() ?? []) await context.close();
});
afterAll(async () => {
  await browser?.close();
});

async function page(width = 1440): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const p = await context.newPage();
  watchRequests(p);
  return p;
}

describe('the domain flow, against the Knot DNS test server', { timeout: 120_000 }, () => {
  let h: DomainsHarness;
  beforeAll(async () => {
    h = await startDomainsHarness('sqlite', { WAYMARK_TRACKING_URL: 'http://track.waymark.test' });
    h.clock.set(Date.now());
  });
  afterAll(() => h?.stop());

  it('adds a domain, shows its records, verifies them, sets the tracking subdomain and deletes with the broken-links warning', async () => {
    const p = await page();
    await signIn(p, h.s.baseUrl, h.s.adminKey);
    await p.getByRole('link', { name: 'Domains' }).click();
    await p.getByLabel('Domain name').fill('flow.example.test');
    await p.getByRole('button', { name: 'Add domain' }).click();
    await p.getByRole('heading', { name: 'flow.example.test', level: 1 }).waitFor();
    const domain = (await h.s.api('GET', '/v1/domains')).body.data[0];
    for (const r of domain.records) {
      const row = p.locator(`tr[data-record="${r.record}"]`);
      expect(await row.locator('td').nth(2).innerText()).toContain(r.name);
      expect(await row.locator('td').nth(3).innerText()).toContain(r.value.slice(0, 40));
    }
    expect(await p.locator('tr[data-record="DKIM"] .badge').innerText()).toBe('not started');

    await h.dns.setRecords(zoneFor(domain));
    await p.getByRole('button', { name: 'Verify' }).click();
    await p.locator('.page-header .badge', { hasText: 'verified' }).waitFor();
    expect(await p.locator('tr[data-record="MX"] .badge').innerText()).toBe('verified');
    expect(await p.locator('tr[data-record="MX"] td').nth(5).innerText()).toContain(domain.records.find((r: { record: string }) => r.record === 'MX').value);

    await p.getByLabel('Track clicks of mail from this domain').check();
    await expect.poll(async () => (await h.s.api('GET', `/v1/domains/${domain.id}`)).body.click_tracking).toBe(true);

    // The trap link and aggregate only: off by default, on and off again from their toggles; a
    // reload shows what the server has.
    const roundTrip = async (label: string, field: 'trap_link' | 'aggregate_only') => {
      const server = async () => (await h.s.api('GET', `/v1/domains/${domain.id}`)).body[field];
      expect(await p.getByLabel(label).isChecked()).toBe(false);
      await p.getByLabel(label).check();
      await expect.poll(server).toBe(true);
      await p.reload();
      await settled(p);
      expect(await p.getByLabel(label).isChecked()).toBe(true);
      await p.getByLabel(label).uncheck();
      await expect.poll(server).toBe(false);
    };
    await roundTrip('Trap link', 'trap_link');
    expect(await p.locator('#aggregate-only-hint').innerText()).toContain('nothing is kept per recipient');
    await roundTrip('Aggregate only', 'aggregate_only');

    await p.getByLabel(/Subdomain of flow\.example\.test/).fill('links');
    await p.getByRole('button', { name: 'Set' }).click();
    await p.getByTestId('subdomain-countdown').waitFor();
    expect(await p.getByTestId('subdomain-countdown').innerText()).toMatch(/can change again in 2[34] h/);
    const withHost = (await h.s.api('GET', `/v1/domains/${domain.id}`)).body;
    await h.dns.setRecords(zoneFor(withHost));
    await p.getByRole('button', { name: 'Verify' }).click();
    await p.locator('.hosts li', { hasText: 'links.flow.example.test' }).locator('.badge', { hasText: 'active' }).waitFor();

    // A tracked email minted on the new host: deleting now would break its links.
    expect((await h.s.api('POST', '/v1/emails', emailBody({ from: 'News <news@flow.example.test>' }))).status).toBe(201);
    await p.getByRole('button', { name: 'Delete flow.example.test' }).click();
    await p.getByRole('alertdialog').waitFor();
    expect(await p.getByRole('alertdialog').innerText()).toMatch(/1 email sent in the last 90 days carries links/);
    await p.getByRole('button', { name: 'Delete anyway and break 1 email' }).click();
    await p.getByRole('heading', { name: 'Domains', level: 1 }).waitFor();
    expect((await h.s.api('GET', '/v1/domains')).body.data).toEqual([]);
  });
});

describe('the webhook and export flows', { timeout: 120_000 }, () => {
  let s: RunningWaymark;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    s = await startWaymark({ env: { WAYMARK_WEBHOOK_ALLOW_PRIVATE: '1' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await s?.stop();
    await receiver?.close();
  });

  it('creates an endpoint (secret shown once), sends a test the receiver verifies, and shows, retries and replays deliveries', async () => {
    const p = await page();
    await signIn(p, s.baseUrl, s.adminKey);
    await p.getByRole('link', { name: 'Webhooks' }).click();
    await p.getByLabel('URL').fill(receiver.url);
    await p.getByLabel('Description').fill('CRM');
    await p.getByLabel("People's opens and clicks only").check();
    await p.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await p.locator('.shown-once .secret').innerText();
    const endpointId = (await s.api('GET', '/v1/webhooks')).body.data[0].id;
    expect((await s.api('GET', `/v1/webhooks/${endpointId}`)).body.human_only).toBe(true);
    await p.locator('tbody tr', { hasText: 'CRM' }).getByText("people's opens and clicks only").waitFor();
    expect(secret).toMatch(/^whsec_/);
    receiver.trust(secret);
    await p.getByRole('link', { name: 'Open the endpoint' }).click();
    await p.getByRole('heading', { name: 'CRM', level: 1 }).waitFor();
    expect(await p.getByTestId('endpoint-human-only').innerText()).toBe("people's only");
    expect(await p.getByLabel("People's opens and clicks only").isChecked()).toBe(true);
    await p.getByLabel("People's opens and clicks only").uncheck();
    await p.getByRole('button', { name: 'Save subscriptions' }).click();
    await expect.poll(() => p.getByTestId('endpoint-human-only').innerText()).toBe("all, people's and machines'");
    expect((await s.api('GET', `/v1/webhooks/${endpointId}`)).body.human_only).toBe(false);
    await p.reload();
    await settled(p);
    expect(await p.getByLabel("People's opens and clicks only").isChecked()).toBe(false);

    await p.getByRole('button', { name: 'Send test event' }).click();
    await receiver.waitFor(1);
    expect(receiver.received[0]!.verifyError).toBeNull();
    expect(receiver.received[0]!.verified).toMatchObject({ type: 'event.test' });
    await expect
      .poll(async () => {
        await p.getByRole('button', { name: 'Refresh' }).click();
        await settled(p);
        return p.getByTestId('deliveries').locator('tbody tr').first().innerText();
      })
      .toMatch(/event\.test[\s\S]*delivered/);

    await p.getByRole('button', { name: 'Retry' }).first().click();
    await receiver.waitFor(2);
    expect(receiver.received[1]!.headers['webhook-id']).toBe(receiver.received[0]!.headers['webhook-id']);

    await s.api('POST', '/v1/emails', emailBody());
    await receiver.waitFor(3);
    await p.getByRole('button', { name: 'Replay' }).click();
    await p.getByText(/Queued 1 events again\./).waitFor();
    await receiver.waitFor(4);

    await p.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await p.locator('.shown-once .secret').innerText();
    expect(rotated).not.toBe(secret);
    await p.getByRole('button', { name: 'Disable' }).click();
    await p.locator('.page-header .badge', { hasText: 'disabled manual' }).waitFor();
    expect((await s.api('GET', `/v1/webhooks/${(await s.api('GET', '/v1/webhooks')).body.data[0].id}`)).body.enabled).toBe(false);
  });

  it('creates an export, downloads it and the CSV holds the emails', async () => {
    for (const subject of ['First', 'Second']) await s.api('POST', '/v1/emails', emailBody({ subject }));
    const p = await page();
    await signIn(p, s.baseUrl, s.adminKey);
    await p.getByRole('link', { name: 'Exports' }).click();
    await p.getByRole('button', { name: 'Export' }).click();
    const row = p.getByTestId('exports').locator('tbody tr').first();
    await row.getByText('completed').waitFor();
    const [download] = await Promise.all([p.waitForEvent('download'), row.getByRole('link', { name: 'Download CSV' }).click()]);
    const rows = parse(readFileSync((await download.path())!, 'utf8')) as string[][];
    const emails = (await s.api('GET', '/v1/emails?limit=100')).body.data as Array<{ id: string; subject: string }>;
    expect(rows[0]!.slice(0, 6)).toEqual(['id', 'created_at', 'status', 'from', 'to', 'subject']);
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(emails.map((e) => e.id).sort());
    expect(rows.slice(1).map((r) => r[5])).toEqual(expect.arrayContaining(['First', 'Second']));
  });
});
