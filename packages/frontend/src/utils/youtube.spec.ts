import { describe, expect, it } from 'vitest';
import { renderMessage } from './render-message';
import { embedUrl, linksOf, parseStart, parseYoutubeUrl, thumbnailUrl, youtubeVideosIn } from './youtube';

const ID = 'dQw4w9WgXcQ';

describe('parseYoutubeUrl', () => {
  it.each([
    [`https://youtu.be/${ID}`, 0],
    [`https://youtu.be/${ID}?t=42`, 42],
    [`https://www.youtube.com/watch?v=${ID}`, 0],
    [`https://youtube.com/watch?feature=share&v=${ID}&t=1m30s`, 90],
    [`https://m.youtube.com/watch?v=${ID}&start=7`, 7],
    [`https://www.youtube.com/shorts/${ID}`, 0],
    [`https://www.youtube.com/embed/${ID}?start=12`, 12],
    [`http://www.YouTube.com/watch?v=${ID}&t=1h2m3s`, 3723],
  ])('finds the video and start time in %s', (href, start) => {
    expect(parseYoutubeUrl(href)).toEqual({ id: ID, start });
  });

  it.each([
    `https://youtube.com.evil.example/watch?v=${ID}`,
    `https://notyoutube.com/watch?v=${ID}`,
    `https://evil.example/youtu.be/${ID}`,
    `https://youtu.be.evil.example/${ID}`,
    `https://www.youtube.com@evil.example/watch?v=${ID}`,
    `https://user@www.youtube.com/watch?v=${ID}`,
    `https://www.youtube.com:8443/watch?v=${ID}`,
    `javascript://youtu.be/${ID}`,
    `https://www.youtube.com/watch?v=short`,
    `https://www.youtube.com/watch?v=${ID}"onerror=x`,
    `https://www.youtube.com/channel/${ID}`,
    'not a url',
  ])('rejects %s', (href) => {
    expect(parseYoutubeUrl(href)).toBeNull();
  });

  it('reads a malformed start time as the beginning', () => {
    expect(parseStart('abc')).toBe(0);
    expect(parseStart('')).toBe(0);
    expect(parseStart('2m')).toBe(120);
  });
});

describe('YouTube links of a rendered message', () => {
  const render = (text: string) => renderMessage(text, { highlightCode: false, mentionedNames: [] });

  it('takes only safe links, once per video', () => {
    const html = render(`look https://youtu.be/${ID} and [again](https://www.youtube.com/watch?v=${ID}&t=5)`);
    expect(youtubeVideosIn(linksOf(html))).toEqual([{ id: ID, start: 0 }]);
  });

  it('ignores a URL in code and a bare host without scheme', () => {
    const html = render(`\`https://youtu.be/${ID}\` and youtu.be/${ID}`);
    expect(youtubeVideosIn(linksOf(html))).toEqual([]);
  });

  it('builds the thumbnail and privacy-enhanced player addresses', () => {
    expect(thumbnailUrl({ id: ID, start: 0 })).toBe(`https://i.ytimg.com/vi/${ID}/hqdefault.jpg`);
    expect(embedUrl({ id: ID, start: 30 })).toBe(`https://www.youtube-nocookie.com/embed/${ID}?autoplay=1&start=30`);
  });
});
