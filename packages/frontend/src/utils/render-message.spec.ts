import { beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_TAGS, loadHighlighter, renderMessage } from './render-message';

const plain = { highlightCode: false, mentionedNames: [] };

// Payloads aimed at the markdown rules: link targets, link text, emphasis and code around markup.
const MARKDOWN_XSS = [
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x]( javascript:alert(1) )',
  '[x](javascript&#58;alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '[**<script>alert(1)</script>**](https://example.com)',
  '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
  '<javascript:alert(1)>',
  '**_~~<img src=x onerror=alert(1)>~~_**',
  '***<svg onload=alert(1)>***',
  '> <iframe src=javascript:alert(1)>',
  '- <img src=x onerror=alert(1)>\n- [y](javascript:alert(1))',
  '```html\n<script>alert(1)</script>\n```',
  '![x](https://example.com/x.png" onerror="alert(1))',
  '[x][r]\n\n[r]: javascript:alert(1)',
];

// A corpus of classic XSS payloads: each must come out as inert text, never as live markup.
const XSS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  'javascript:alert(1)',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<body onload=alert(1)>',
  '<div style="background:url(javascript:alert(1))">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '```<img src=x onerror=alert(1)>```',
  '`<script>alert(1)</script>`',
  'https://example.com/"onmouseover="alert(1)',
  'https://example.com/<script>alert(1)</script>',
  '<a href="https://ok.example" onclick="alert(1)">x</a>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
  '<form action="javascript:alert(1)"><input type=submit>',
  '@<img src=x onerror=alert(1)>',
];

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMessage', () => {
  // The corpus below renders code highlighted too (render-message-lazy.spec.ts: before highlight.js arrives).
  beforeAll(() => loadHighlighter());

  it.each(XSS)('renders %s as inert text', (payload) => {
    for (const highlightCode of [false, true]) {
      const root = dom(renderMessage(payload, { highlightCode, mentionedNames: ['bob'] }));
      const elements = [...root.querySelectorAll('*')];
      for (const element of elements) {
        expect(ALLOWED_TAGS.map((t) => t.toUpperCase())).toContain(element.tagName);
        for (const attr of [...element.attributes]) {
          expect(attr.name).not.toMatch(/^on/i);
          expect(attr.value).not.toMatch(/javascript:|data:/i);
        }
      }
      // What the user sees is the text they typed, not something the browser executed.
      expect(root.textContent?.replace(/\s+/g, '')).toContain(
        payload.replace(/```|`/g, '').replace(/\s+/g, '').slice(0, 8),
      );
    }
  });

  it.each(MARKDOWN_XSS)('renders markdown payload %j without live markup or script links', (payload) => {
    for (const highlightCode of [false, true]) {
      const root = dom(renderMessage(payload, { highlightCode, mentionedNames: [] }));
      for (const element of root.querySelectorAll('*')) {
        expect(ALLOWED_TAGS.map((t) => t.toUpperCase())).toContain(element.tagName);
        for (const attr of element.attributes) {
          expect(['href', 'class', 'start', 'target', 'rel']).toContain(attr.name);
        }
      }
      for (const link of root.querySelectorAll('a')) {
        expect(link.getAttribute('href')).toMatch(/^https:\/\/example\.com/);
      }
    }
  });

  it('renders the markdown subset: emphasis, strike, code, quotes, lists and links with text', () => {
    const root = dom(
      renderMessage(
        '**bold** *italic* _also_ ~~gone~~ `code`\n> quoted\n\n1. one\n2. two\n\n- a\n- b\n\n[the docs](https://example.com/docs)',
        plain,
      ),
    );
    expect(root.querySelector('strong')?.textContent).toBe('bold');
    expect([...root.querySelectorAll('em')].map((e) => e.textContent)).toEqual(['italic', 'also']);
    expect(root.querySelector('s')?.textContent).toBe('gone');
    expect(root.querySelector('p > code')?.textContent).toBe('code');
    expect(root.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
    expect([...root.querySelectorAll('ol > li')].map((e) => e.textContent)).toEqual(['one', 'two']);
    expect([...root.querySelectorAll('ul > li')].map((e) => e.textContent)).toEqual(['a', 'b']);
    const link = root.querySelector('a');
    expect(link?.textContent).toBe('the docs');
    expect(link?.getAttribute('href')).toBe('https://example.com/docs');
    expect(link?.getAttribute('target')).toBe('_blank');
  });

  it('nests emphasis, and leaves markup inside link text as text', () => {
    const root = dom(renderMessage('***both*** **bold _and italic_** [<b>x</b> **y**](https://example.com)', plain));
    expect(root.querySelector('em strong, strong em')?.textContent).toBe('both');
    expect(root.querySelector('strong em')?.textContent).toBe('and italic');
    const link = root.querySelector('a');
    expect(link?.textContent).toBe('<b>x</b> y');
    expect(link?.querySelector('b')).toBeNull();
    expect(link?.querySelector('strong')?.textContent).toBe('y');
  });

  it('keeps no markup for what is not in the subset: headings, images, HTML, entities', () => {
    const root = dom(renderMessage('# not a heading\n![img](https://example.com/a.png) <b>b</b> &lt;', plain));
    expect(root.querySelector('h1, img, b')).toBeNull();
    expect(root.textContent).toContain('# not a heading');
    expect(root.textContent).toContain('<b>b</b> &lt;');
  });

  it('decodes the common entities in a link address and keeps any other as typed (the app ships no entity table)', () => {
    const links = dom(
      renderMessage('[a](https://example.com/?a=1&amp;b=2) [b](https://example.com/?c&eacute;)', plain),
    ).querySelectorAll('a');
    expect(links[0]?.getAttribute('href')).toBe('https://example.com/?a=1&b=2');
    expect(links[1]?.getAttribute('href')).toBe('https://example.com/?c&eacute;');
  });

  it('links http(s) URLs safely and leaves other schemes as text', () => {
    const root = dom(renderMessage('see https://example.com/a?b=1. and javascript:alert(1)', plain));
    const links = root.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute('href')).toBe('https://example.com/a?b=1');
    expect(links[0]?.getAttribute('rel')).toContain('noopener');
  });

  it('keeps line breaks and renders code blocks and inline code', () => {
    const html = renderMessage('line 1\nline 2 `x<y`\n```js\nconst a = 1 < 2;\n```', plain);
    const root = dom(html);
    // One break inside the paragraph; the code block then starts a block of its own.
    expect(root.querySelectorAll('p br')).toHaveLength(1);
    expect(root.querySelector('.code-block code')?.textContent).toContain('const a = 1 < 2;');
    expect(root.querySelector('code')?.textContent).toBe('x<y');
  });

  it('highlights code when asked', () => {
    const root = dom(renderMessage('```js\nconst a = 1;\n```', { ...plain, highlightCode: true }));
    expect(root.querySelector('.code-block code.hljs span')).not.toBeNull();
  });

  it('marks mentions of room members, and mine specially', () => {
    const root = dom(
      renderMessage('hi @bob and @alice, not @carol', { ...plain, mentionedNames: ['bob', 'alice'], myName: 'alice' }),
    );
    const mentions = [...root.querySelectorAll('span.mention')].map((s) => s.textContent);
    expect(mentions).toEqual(['@bob', '@alice']);
    expect(root.querySelector('span.mention.me')?.textContent).toBe('@alice');
  });

  it('draws emoji in text with the bundled emoji font, but not inside code or a link address', () => {
    const root = dom(renderMessage('**great 👍🏽** `🎉` 2 ©', plain));
    expect([...root.querySelectorAll('span.emoji')].map((s) => s.textContent)).toEqual(['👍🏽']);
    expect(root.querySelector('strong span.emoji')).not.toBeNull();
    expect(root.querySelector('code')?.innerHTML).toBe('🎉');
  });
});
