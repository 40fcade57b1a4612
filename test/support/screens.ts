import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './child-server.js';

/** Browser globals, for the functions that run inside the page (page.evaluate). */
declare const window: { scrollTo(x: number, y: number): void };
declare const document: { querySelectorAll(selector: string): { length: number } };


/** Where the test run leaves its screenshots of every screen (git ignores it). */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

export const WIDTHS = [375, 1440] as const;

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  // Chromium paints an out-of-process frame (the sandboxed preview) in a full-page shot only once it has been in view.
  const preview = page.locator('iframe.preview');
  if ((await preview.count()) > 0) {
    await preview.scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
}

/**
 * axe-core's serious and critical findings on the page as it is now. An email preview is the
 * sender's own HTML, not a screen of ours, so it is left out.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).exclude('iframe.preview').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const inFlight = new WeakMap<Page, Set<unknown>>();

/** Counts the page's requests under way, its frames' included (see settled). */
function tracked(page: Page): Set<unknown> {
  let requests = inFlight.get(page);
  if (requests === undefined) {
    const set = new Set<unknown>();
    page.on('request', (r) => set.add(r));
    page.on('requestfinished', (r) => set.delete(r));
    page.on('requestfailed', (r) => set.delete(r));
    inFlight.set(page, set);
    requests = set;
  }
  return requests;
}

/** Starts counting the page's requests; call before the first navigation that settled waits for. */
export function watchRequests(page: Page): void {
  tracked(page);
}

/**
 * Waits until no request has been under way for 300 ms and no loading indicator is left. Not
 * Playwright's `networkidle`: a client-side navigation fires no load event, and the sandboxed
 * preview frame's lifecycle can keep that state from ever being reached.
 */
export async function settled(page: Page, timeoutMs = 30_000): Promise<void> {
  const requests = tracked(page);
  const deadline = Date.now() + timeoutMs;
  let quietSince = requests.size === 0 ? Date.now() : Infinity;
  while (Date.now() - quietSince < 300) {
    if (Date.now() > deadline) throw new Error(`still ${requests.size} requests under way after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
    if (requests.size > 0) quietSince = Infinity;
    else if (quietSince === Infinity) quietSince = Date.now();
  }
  await page.waitForFunction(() => document.querySelectorAll('[role="status"] .spinner').length === 0);
}
