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

// Its own chunk (utils/render-message loads it on the first code block): ~25 KB gzipped a chat without code
// never needs.
for (const [name, language] of Object.entries({ bash, css, java, javascript, json, python, sql, typescript, xml })) {
  hljs.registerLanguage(name, language);
}

/** Code → highlight.js markup (spans with `hljs-*` classes, the code escaped); the caller sanitizes it. */
export function highlight(code: string, language: string): string {
  return language && hljs.getLanguage(language)
    ? hljs.highlight(code, { language, ignoreIllegals: true }).value
    : hljs.highlightAuto(code).value;
}
