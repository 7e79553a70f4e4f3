/**
 * Stands in for the `entities` package inside markdown-it (webpack.config.js and vitest.config.mts alias it):
 * its table of 2,231 named HTML entities costs 15.6 KB gzipped on the first chat view, and markdown-it asks it
 * only for link addresses and titles and a code block's language — the entity rule is off (utils/render-message:
 * `&lt;` shows as typed). These few names are decoded there; any other stays as typed.
 */
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** `&name;` → its character for the names above; anything else unchanged (markdown-it then keeps it as text). */
export function decodeHTMLStrict(entity: string): string {
  const name = /^&([a-z]+);$/i.exec(entity)?.[1];
  return (name && NAMED[name]) ?? entity;
}
