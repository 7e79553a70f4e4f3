/** A YouTube video a message links to: its id and where to start, in whole seconds. */
export interface YoutubeVideo {
  id: string;
  start: number;
}

/** Exact hosts only: `youtube.com.evil.example` or `notyoutube.com` are other sites. */
const WATCH_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com', 'music.youtube.com']);
const SHORT_HOST = 'youtu.be';
/** YouTube's ids are 11 characters of base64url; anything else is not a video link. */
const VIDEO_ID = /^[\w-]{11}$/;

/** `t=90`, `t=1m30s`, `start=90`, `t=1h2m3s` → seconds; 0 when absent or malformed. */
export function parseStart(value: string | null): number {
  if (!value) {
    return 0;
  }
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || match[0] === '') {
    return 0;
  }
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/**
 * The video behind a link, or null: `youtu.be/<id>`, `youtube.com/watch?v=<id>`, `/shorts/<id>`, `/embed/<id>`,
 * `/live/<id>`, with `t` or `start` as the start time. https and http only.
 */
export function parseYoutubeUrl(href: string): YoutubeVideo | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return null;
  }
  if (url.username || url.password || (url.port && url.port !== '443' && url.port !== '80')) {
    return null;
  }
  const host = url.hostname.toLowerCase();
  let id: string | undefined;
  if (host === SHORT_HOST) {
    id = url.pathname.split('/')[1];
  } else if (WATCH_HOSTS.has(host)) {
    const [, first, second] = url.pathname.split('/');
    if (first === 'watch') {
      id = url.searchParams.get('v') ?? undefined;
    } else if (first === 'shorts' || first === 'embed' || first === 'live') {
      id = second;
    }
  }
  if (!id || !VIDEO_ID.test(id)) {
    return null;
  }
  return { id, start: parseStart(url.searchParams.get('t') ?? url.searchParams.get('start')) };
}

/** The distinct videos among a rendered message's links (in order, at most `max`). */
export function youtubeVideosIn(hrefs: readonly string[], max = 3): YoutubeVideo[] {
  const seen = new Set<string>();
  const videos: YoutubeVideo[] = [];
  for (const href of hrefs) {
    const video = parseYoutubeUrl(href);
    if (video && !seen.has(video.id) && videos.length < max) {
      seen.add(video.id);
      videos.push(video);
    }
  }
  return videos;
}

/** Links of the sanitized HTML renderMessage produced (never the raw text: only what became a safe link). */
export function linksOf(html: string): string[] {
  if (!html.includes('<a')) {
    return [];
  }
  const template = document.createElement('template');
  template.innerHTML = html;
  return [...template.content.querySelectorAll('a[href]')].map((a) => a.getAttribute('href') ?? '');
}

/** The thumbnail (i.ytimg.com, allowed by img-src) and the click-to-play player (youtube-nocookie, frame-src). */
export function thumbnailUrl(video: YoutubeVideo): string {
  return `https://i.ytimg.com/vi/${video.id}/hqdefault.jpg`;
}

export function embedUrl(video: YoutubeVideo): string {
  const start = video.start > 0 ? `&start=${video.start}` : '';
  return `https://www.youtube-nocookie.com/embed/${video.id}?autoplay=1${start}`;
}
