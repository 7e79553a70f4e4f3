import DOMPurify from 'dompurify';
import MarkdownIt, { type Env, type MarkdownIt as Markdown } from 'markdown-it';
import { shallowRef } from 'vue';
import { wrapEmoji } from './emoji-text';

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

/** Only these schemes become links, in `[text](url)`, `<url>` and bare URLs alike; anything else stays text. */
const SAFE_URL = /^(?:https?:\/\/|mailto:)/i;

/** What the sanitizer lets through: exactly what the markdown subset below can produce. */
export const ALLOWED_TAGS = [
  'a',
  'blockquote',
  'br',
  'code',
  'del',
  'div',
  'em',
  'li',
  'ol',
  'p',
  's',
  'span',
  'strong',
  'ul',
];

/**
 * The chat's markdown subset (Slack, Discord, Zulip agree on it): emphasis, strike (`~~`), inline code, fenced
 * code, quotes, lists, links with text and bare URLs, single newlines as line breaks. No headings, tables,
 * images, raw HTML (`html: false` prints tags as text) or entities (`&lt;` shows as typed). `zero` starts with every rule off, so a markdown-it
 * upgrade cannot switch on something new.
 */
function createMarkdown(): Markdown {
  const md = new MarkdownIt('zero', { html: false, breaks: true, linkify: true });
  md.enable([
    'paragraph',
    'newline',
    'escape',
    'backticks',
    'emphasis',
    'strikethrough',
    'fence',
    'blockquote',
    'list',
    'link',
    'autolink',
    'linkify',
  ]);
  // A bare `example.com` or `a@b.c` stays text: only what starts with a scheme is linked, as before markdown.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.validateLink = (url) => SAFE_URL.test(url.trim());
  return md;
}

const md = createMarkdown();

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

type Highlight = (code: string, language: string) => string;

/**
 * highlight.js, once its chunk has arrived. A ref: a component's computed that rendered a code block plain reads
 * it, so it renders again, highlighted, when the chunk arrives.
 */
const highlighter = shallowRef<Highlight | null>(null);
let highlighterLoad: Promise<void> | null = null;

/** Loads highlight.js (once); resolves when code blocks render highlighted. */
export function loadHighlighter(): Promise<void> {
  highlighterLoad ??= import(/* webpackChunkName: "highlight" */ './highlight').then(
    (module) => {
      highlighter.value = module.highlight;
    },
    (error: unknown) => {
      // Offline before the chunk was cached: code stays plain; the next code block tries again.
      highlighterLoad = null;
      throw error;
    },
  );
  return highlighterLoad;
}

function renderCode(code: string, language: string, options: RenderOptions): string {
  if (options.highlightCode) {
    const highlight = highlighter.value;
    if (highlight) {
      return `<div class="code-block"><code class="hljs">${highlight(code, language)}</code></div>`;
    }
    // Plain and escaped until highlight.js arrives (the first code block asks for it).
    loadHighlighter().catch(() => undefined);
  }
  return `<div class="code-block"><code>${escapeHtml(code)}</code></div>`;
}

/** What the renderer rules read: the options of the message being rendered. */
interface RenderEnv extends Env {
  options: RenderOptions;
}

md.renderer.rules.text = (tokens, index, _md, env) =>
  wrapEmoji(renderMentions(escapeHtml(tokens[index]?.content ?? ''), (env as RenderEnv).options));
md.renderer.rules.fence = (tokens, index, _md, env) => {
  const token = tokens[index];
  const language = (token?.info ?? '').trim().split(/\s+/)[0] ?? '';
  // markdown-it keeps the block's last newline, which would show as an empty line.
  return renderCode((token?.content ?? '').replace(/\n$/, ''), language, (env as RenderEnv).options);
};

/**
 * Message text → HTML. markdown-it escapes everything it does not turn into markup itself (`html: false`),
 * links only http(s) and mailto, and its output is sanitized again by DOMPurify with an allow-list, in case a
 * rule is wrong. Mentions and emoji are marked in text runs only (never inside code or a link's address).
 */
export function renderMessage(content: string, options: RenderOptions): string {
  const env: RenderEnv = { options };
  return DOMPurify.sanitize(md.render(content, env), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'class', 'start'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  });
}
