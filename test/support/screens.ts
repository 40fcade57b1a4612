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

/** Waits until no loading indicator is left on the page. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => document.querySelectorAll('[role="status"] .spinner').length === 0);
}
