import { describe, expect, it } from 'vitest';
import { renderMessage } from './render-message';

const plain = { highlightCode: false, mentionedNames: [] };

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
  it.each(XSS)('renders %s as inert text', (payload) => {
    for (const highlightCode of [false, true]) {
      const root = dom(renderMessage(payload, { highlightCode, mentionedNames: ['bob'] }));
      const elements = [...root.querySelectorAll('*')];
      for (const element of elements) {
        expect(['A', 'BR', 'CODE', 'DIV', 'SPAN']).toContain(element.tagName);
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
    expect(root.querySelectorAll('br').length).toBeGreaterThanOrEqual(2);
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
});
