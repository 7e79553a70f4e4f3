import { describe, expect, it } from 'vitest';
import { computed } from 'vue';
import { loadHighlighter, renderMessage } from './render-message';

// A module of its own: highlight.js must not be loaded yet when these start (vitest isolates spec files).
const options = { highlightCode: true, mentionedNames: [] };
const SOURCE = '```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('renderMessage with highlight.js loaded lazily', () => {
  it('renders a code block plain and escaped before highlight.js arrives, then highlighted and still inert', async () => {
    // What a chat view computes: it renders again when the chunk arrives, with nobody asking.
    const html = computed(() => renderMessage(SOURCE, options));

    const before = dom(html.value);
    const code = before.querySelector('.code-block code');
    expect(code?.textContent).toBe('<script>alert(1)</script><img src=x onerror=alert(1)>');
    expect(code?.classList.contains('hljs')).toBe(false);
    expect(before.querySelector('span, script, img')).toBeNull();

    await loadHighlighter();

    const after = dom(html.value);
    const highlighted = after.querySelector('.code-block code.hljs');
    expect(highlighted?.querySelector('span[class^="hljs-"]')).not.toBeNull();
    expect(highlighted?.textContent).toBe('<script>alert(1)</script><img src=x onerror=alert(1)>');
    expect(after.querySelector('script, img, [onerror]')).toBeNull();
  });

  it('leaves code plain without asking for highlight.js when highlighting is off', () => {
    const root = dom(renderMessage('```js\nconst a = 1;\n```', { ...options, highlightCode: false }));
    expect(root.querySelector('.code-block code')?.textContent).toBe('const a = 1;');
    expect(root.querySelector('span')).toBeNull();
  });
});
