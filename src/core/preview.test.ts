import { describe, expect, it } from 'vitest';
import { emailPreview } from './preview.js';

const html =
  '<html><head><title>x</title></head><body>' +
  '<a href="https://t.example/v1/track/click/AAA">One</a> <a href="https://t.example/v1/track/click/BBB">Two</a> ' +
  '<a href="https://t.example/v1/track/click/FORGED">Three</a> <a href="mailto:a@b.c">Mail</a>' +
  '<img src="https://t.example/v1/track/open/OPEN" width="1" height="1"></body></html>';
const linkIndexOf = (token: string) => ({ AAA: 0, BBB: 1 })[token as 'AAA'] ?? null;

describe('emailPreview', () => {
  it('leaves no tracking URL that a browser could load or follow', () => {
    const out = emailPreview(html, { linkIndexOf });
    expect(out).not.toMatch(/\/v1\/track\//);
    expect(out).toContain('href="#waymark-link-0"');
    expect(out).toContain('href="#waymark-link-1"');
    expect(out).toContain('href="#">Three');
    expect(out).toContain('href="mailto:a@b.c"');
    expect(out).toMatch(/<img src="data:image\/gif;base64,[^"]+" width="1"/);
    expect(out).not.toContain('<style>');
  });

  it('labels each link with its clicks, unique clicks and share in the click map', () => {
    const out = emailPreview(html, {
      linkIndexOf,
      clickMap: [
        { index: 0, clicks: 3, uniqueClicks: 2 },
        { index: 1, clicks: 1, uniqueClicks: 1 },
      ],
    });
    expect(out.indexOf('<style>')).toBeLessThan(out.indexOf('</head>'));
    expect(out).toContain('a[href="#waymark-link-0"]::after{content:"3 clicks · 2 unique · 75%"');
    expect(out).toContain('a[href="#waymark-link-1"]::after{content:"1 click · 1 unique · 25%"');
  });

  it('puts the style first in a fragment without a head, and handles no clicks at all', () => {
    const out = emailPreview('<p><a href="http://t/v1/track/click/AAA">x</a></p>', { linkIndexOf, clickMap: [{ index: 0, clicks: 0, uniqueClicks: 0 }] });
    expect(out.startsWith('<style>')).toBe(true);
    expect(out).toContain('content:"0 clicks · 0 unique · 0%"');
  });
});
