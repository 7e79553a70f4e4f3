/** The composer's text and selection after a formatting shortcut. */
export interface Edited {
  text: string;
  start: number;
  end: number;
}

/** Ctrl/⌘ + key → the markdown marker it wraps the selection in (Slack's and Discord's keys). */
export const SHORTCUT_MARKERS: Record<string, string> = { b: '**', i: '_', 'shift+x': '~~', e: '`' };

/**
 * Wraps the selection in `marker` (`**` for bold…), or unwraps it when it is already wrapped, so pressing
 * Ctrl+B twice gives back the plain text. With nothing selected, it inserts an empty pair and puts the cursor
 * between, so typing goes on in bold.
 */
export function toggleMarker(text: string, start: number, end: number, marker: string): Edited {
  const n = marker.length;
  const selected = text.slice(start, end);
  if (text.slice(start - n, start) === marker && text.slice(end, end + n) === marker) {
    return { text: text.slice(0, start - n) + selected + text.slice(end + n), start: start - n, end: end - n };
  }
  if (selected.length >= 2 * n && selected.startsWith(marker) && selected.endsWith(marker)) {
    const inner = selected.slice(n, -n);
    return { text: text.slice(0, start) + inner + text.slice(end), start, end: start + inner.length };
  }
  return { text: text.slice(0, start) + marker + selected + marker + text.slice(end), start: start + n, end: end + n };
}

/** The marker for a keydown, or null when it is not a formatting shortcut. */
export function markerFor(
  event: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'key'>,
): string | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) {
    return null;
  }
  const key = `${event.shiftKey ? 'shift+' : ''}${event.key.toLowerCase()}`;
  return SHORTCUT_MARKERS[key] ?? null;
}

/** Pychat's quote of a message: its author in bold, then every line of its text behind `> `. */
export function quoteBlock(author: string, content: string): string {
  const lines = content.trim() === '' ? ['(attachment)'] : content.trim().split('\n');
  return [`> **${author}**:`, ...lines.map((line) => `> ${line}`)].join('\n');
}

/**
 * Puts `prefix` (`> ` for a quote, `- ` for a list) before every line the selection touches, or takes it off
 * when all of them have it already; the selection then covers those whole lines.
 */
export function toggleLinePrefix(text: string, start: number, end: number, prefix: string): Edited {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const newline = text.indexOf('\n', Math.max(end - (end > start ? 1 : 0), start));
  const to = newline === -1 ? text.length : newline;
  const lines = text.slice(from, to).split('\n');
  const all = lines.every((line) => line.startsWith(prefix));
  const block = lines.map((line) => (all ? line.slice(prefix.length) : prefix + line)).join('\n');
  return { text: text.slice(0, from) + block + text.slice(to), start: from, end: from + block.length };
}

/** `[selection](url)` with the `url` placeholder selected, so typing replaces it. */
export function insertLink(text: string, start: number, end: number): Edited {
  const label = text.slice(start, end) || 'text';
  const inserted = `[${label}](url)`;
  const urlAt = start + label.length + 3;
  return { text: text.slice(0, start) + inserted + text.slice(end), start: urlAt, end: urlAt + 3 };
}
