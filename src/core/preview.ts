/**
 * An email's HTML made safe to look at: its own open pixel can never load and its tracked links can
 * never be followed (previewing must record nothing), and with a click map each tracked link is
 * outlined and labelled with its clicks, in a colour that deepens with its share of them.
 */
export interface LinkClicks {
  index: number;
  clicks: number;
  uniqueClicks: number;
}

export interface PreviewOptions {
  /** The link index a click token stands for, or null for a token that does not verify. */
  linkIndexOf(token: string): number | null;
  /** Per-link clicks for the click map; leave out for a plain preview. */
  clickMap?: readonly LinkClicks[];
}

const OPEN_URL = /https?:\/\/[^\s"'<>()]+?\/v1\/track\/open\/[A-Za-z0-9_-]+/g;
const CLICK_URL = /https?:\/\/[^\s"'<>()]+?\/v1\/track\/click\/([A-Za-z0-9_-]+)/g;
const BLANK_GIF = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export function linkAnchor(index: number): string {
  return `#waymark-link-${index}`;
}

export function emailPreview(html: string, options: PreviewOptions): string {
  let out = html.replace(OPEN_URL, BLANK_GIF);
  out = out.replace(CLICK_URL, (_url, token: string) => {
    const index = options.linkIndexOf(token);
    return index === null ? '#' : linkAnchor(index);
  });
  if (options.clickMap === undefined) return out;
  return withStyle(out, clickMapStyle(options.clickMap));
}

function clickMapStyle(links: readonly LinkClicks[]): string {
  const total = links.reduce((n, l) => n + l.clicks, 0);
  const rules = links.map((l) => {
    const share = total === 0 ? 0 : l.clicks / total;
    // From a pale to a deep orange as the share grows; links nobody clicked stay grey.
    const colour = l.clicks === 0 ? 'hsl(220 10% 55%)' : `hsl(${30 - Math.round(share * 25)} 95% ${62 - Math.round(share * 30)}%)`;
    const selector = `a[href="${linkAnchor(l.index)}"]`;
    const label = `${l.clicks} ${l.clicks === 1 ? 'click' : 'clicks'} · ${l.uniqueClicks} unique · ${Math.round(share * 100)}%`;
    return (
      `${selector}{outline:3px solid ${colour} !important;outline-offset:2px;position:relative}` +
      `${selector}::after{content:"${label}";display:inline-block;margin-left:4px;padding:1px 6px;border-radius:9px;` +
      `background:${colour};color:#111;font:600 12px/1.6 system-ui,sans-serif;white-space:nowrap;text-decoration:none}`
    );
  });
  return rules.join('\n');
}

function withStyle(html: string, css: string): string {
  const tag = `<style>${css}</style>`;
  const head = /<\/head\s*>/i.exec(html);
  if (head) return html.slice(0, head.index) + tag + html.slice(head.index);
  return tag + html;
}
