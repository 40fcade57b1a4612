export const NEWSLETTER_HTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>News</title></head>
<body>
<p>Hello &amp; welcome. <a href="https://example.com/a?x=1&amp;y=2#top">Read the post</a></p>
<p><a href='mailto:help@example.com'>Mail us</a> or <a href="https://bücher.example/straße?q=ä">Books</a></p>
</body>
</html>
`;

export const TEXT_PART = 'Read it at https://example.com/text-link. Thanks!';

export function emailBody(overrides: Record<string, unknown> = {}) {
  return {
    from: 'Acme <news@acme.test>',
    to: ['ann@example.org'],
    subject: 'Hello',
    html: NEWSLETTER_HTML,
    text: TEXT_PART,
    tracking: { open: true, click: true },
    ...overrides,
  };
}
