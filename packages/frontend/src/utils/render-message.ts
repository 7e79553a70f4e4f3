import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';

for (const [name, language] of Object.entries({ bash, css, java, javascript, json, python, sql, typescript, xml })) {
  hljs.registerLanguage(name, language);
}

// Links open in a new tab without handing it our window (set after sanitizing, which drops these attributes).
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

export interface RenderOptions {
  highlightCode: boolean;
  /** Usernames mentioned in the message (by id on the server), highlighted as @name. */
  mentionedNames: string[];
  /** My username: a mention of me gets a stronger highlight. */
  myName?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// Only http(s) and mailto links become anchors: `javascript:` and `data:` stay text.
const URL_RE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+[^\s<>"'`.,:;)\]!?]/g;

function renderMentions(escaped: string, options: RenderOptions): string {
  if (options.mentionedNames.length === 0) {
    return escaped;
  }
  const names = options.mentionedNames.map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
  return escaped.replace(new RegExp(`(^|[\\s(])@(${names})\\b`, 'g'), (_m, lead: string, name: string) => {
    const me = name === options.myName ? ' me' : '';
    return `${lead}<span class="mention${me}">@${name}</span>`;
  });
}

/** Text outside code: URLs are cut out of the raw text first, so escaping can never be split by them. */
function renderText(raw: string, options: RenderOptions): string {
  let html = '';
  let last = 0;
  for (const match of raw.matchAll(URL_RE)) {
    const index = match.index ?? 0;
    html += renderMentions(escapeHtml(raw.slice(last, index)), options);
    const url = escapeHtml(match[0]);
    html += `<a href="${url}">${url}</a>`;
    last = index + match[0].length;
  }
  html += renderMentions(escapeHtml(raw.slice(last)), options);
  return html.replace(/\n/g, '<br>');
}

function renderInline(raw: string, options: RenderOptions): string {
  return raw
    .split(/(`[^`\n]+`)/g)
    .map((part) =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`')
        ? `<code>${escapeHtml(part.slice(1, -1))}</code>`
        : renderText(part, options),
    )
    .join('');
}

function renderCode(code: string, language: string, options: RenderOptions): string {
  if (options.highlightCode) {
    const highlighted =
      language && hljs.getLanguage(language)
        ? hljs.highlight(code, { language, ignoreIllegals: true }).value
        : hljs.highlightAuto(code).value;
    return `<div class="code-block"><code class="hljs">${highlighted}</code></div>`;
  }
  return `<div class="code-block"><code>${escapeHtml(code)}</code></div>`;
}

/**
 * Message text → HTML. Safe by construction (everything is escaped first, then a few known patterns
 * become markup) and sanitized again by DOMPurify with a small allow-list, in case a pattern is wrong.
 */
export function renderMessage(content: string, options: RenderOptions): string {
  const parts: string[] = [];
  const fence = /```([a-zA-Z0-9+-]*)\n?([\s\S]*?)```/g;
  let last = 0;
  for (const match of content.matchAll(fence)) {
    const index = match.index ?? 0;
    parts.push(renderInline(content.slice(last, index), options));
    parts.push(renderCode(match[2] ?? '', match[1] ?? '', options));
    last = index + match[0].length;
  }
  parts.push(renderInline(content.slice(last), options));
  return DOMPurify.sanitize(parts.join(''), {
    ALLOWED_TAGS: ['a', 'br', 'code', 'div', 'span'],
    ALLOWED_ATTR: ['href', 'class'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  });
}
