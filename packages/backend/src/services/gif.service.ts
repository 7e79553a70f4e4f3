import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { AttachmentDto, GifDto } from '@pychat/protocol';
import { AppError, RateLimitedError } from '../errors';
import type { Logger } from '../logger';
import type { Clock } from './clock';
import type { FileService } from './file.service';
import { BoundedMap, RateLimiter } from './rate-limiter';

export interface GiphyConfig {
  readonly apiKey: string;
  readonly apiUrl: string;
  readonly maxPerMinute: number;
}

/** A list answered by the provider is reused this long (Giphy's trending changes hourly; searches barely). */
export const GIF_CACHE_MS = 5 * 60_000;
/** Results per list: one screen of the picker. */
const PAGE = 24;
/** How long one request to the provider may take, including the body of a GIF. */
const TIMEOUT_MS = 10_000;
/** A preview is small (Giphy's fixed_width_small, ~100-300 kB); more is not a preview. */
const MAX_PREVIEW_BYTES = 2 * 1024 * 1024;

/** What Pychat keeps of a provider's GIF: the addresses it may fetch for this id. */
interface Gif {
  id: string;
  title: string;
  preview: { url: string; width: number; height: number };
  /** The one copied into uploads: Giphy's `downsized` (≤ 2 MB), else the original. */
  full: string;
}

interface GiphyImage {
  url?: unknown;
  width?: unknown;
  height?: unknown;
}

function httpUrl(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\//i.test(value) ? value : null;
}

/** One entry of Giphy's `data` array (GIF object), or null when it lacks what the picker needs. */
function toGif(raw: unknown): Gif | null {
  const item = raw as { id?: unknown; title?: unknown; images?: Record<string, GiphyImage | undefined> } | null;
  if (!item || typeof item.id !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(item.id)) {
    return null;
  }
  const small = item.images?.fixed_width_small ?? item.images?.fixed_width;
  const previewUrl = httpUrl(small?.url);
  const full = httpUrl(item.images?.downsized?.url) ?? httpUrl(item.images?.original?.url);
  const width = Number(small?.width);
  const height = Number(small?.height);
  if (!previewUrl || !full || !(width > 0) || !(height > 0)) {
    return null;
  }
  return {
    id: item.id,
    title: typeof item.title === 'string' ? item.title.slice(0, 200) : '',
    preview: { url: previewUrl, width: Math.round(width), height: Math.round(height) },
    full,
  };
}

function toGifDto(gif: Gif): GifDto {
  return {
    id: gif.id,
    title: gif.title,
    width: gif.preview.width,
    height: gif.preview.height,
    previewUrl: `/api/gifs/${gif.id}/preview`,
  };
}

/**
 * The GIF picker through Giphy. Every request to Giphy is made here: the API key never leaves the server and
 * Giphy sees the server's address, not the users'. The chosen GIF is copied into uploads (FileService) and sent
 * as an attachment, so reading the message asks nothing of Giphy either (and the CSP needs no Giphy host).
 * Lists are cached briefly per query; each user has a per-minute budget (searches, trending, picks).
 */
export class GifService {
  readonly #lists = new BoundedMap<{ at: number; gifs: Gif[] }>(2_000);
  /** GIFs seen in lists, so a preview or pick needs no second request (another instance asks Giphy by id). */
  readonly #known = new BoundedMap<Gif>(20_000);
  readonly #limiter: RateLimiter;

  constructor(
    private readonly config: GiphyConfig | null,
    private readonly files: FileService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.#limiter = new RateLimiter(config?.maxPerMinute ?? 1, 60_000);
  }

  get enabled(): boolean {
    return this.config !== null;
  }

  trending(userId: number): Promise<GifDto[]> {
    return this.list(userId, 'trending', {});
  }

  search(userId: number, query: string): Promise<GifDto[]> {
    return this.list(userId, `search:${query.toLowerCase()}`, { q: query });
  }

  /** The preview image's bytes, fetched by the server (not counted against the budget: a list shows 24). */
  async preview(id: string): Promise<{ type: string; body: Buffer }> {
    const gif = await this.gif(id);
    const res = await this.request(gif.preview.url);
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_PREVIEW_BYTES) {
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF preview is too large');
    }
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_PREVIEW_BYTES) {
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF preview is too large');
    }
    return {
      type: res.headers.get('content-type')?.startsWith('image/') ? res.headers.get('content-type')! : 'image/gif',
      body,
    };
  }

  /** Copies the GIF into the user's uploads (limits and quota apply) and answers it as an attachment to send. */
  async attach(userId: number, id: string): Promise<AttachmentDto> {
    this.spend(userId);
    const gif = await this.gif(id);
    const res = await this.request(gif.full);
    if (!res.body) {
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF provider sent no image');
    }
    const stream = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    const name = `${(gif.title || 'GIF').replace(/[^\w .-]+/g, '').trim() || 'GIF'}.gif`;
    try {
      return await this.files.store(userId, { stream, name, claimedType: 'image/gif' });
    } catch (error) {
      if (error instanceof AppError) {
        throw error;
      }
      this.logger.warn({ err: error, id }, 'GIF download failed');
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF could not be downloaded from the provider');
    }
  }

  private requireConfig(): GiphyConfig {
    if (!this.config) {
      throw new AppError('GIFS_DISABLED', 'GIFs are not enabled on this server');
    }
    return this.config;
  }

  private spend(userId: number): void {
    this.requireConfig();
    const key = String(userId);
    const now = this.clock();
    const wait = this.#limiter.retryAfterMs(key, now);
    if (wait > 0) {
      throw new RateLimitedError('Too many GIF requests; wait a moment', wait);
    }
    this.#limiter.hit(key, now);
  }

  private async list(userId: number, cacheKey: string, params: Record<string, string>): Promise<GifDto[]> {
    this.spend(userId);
    const now = this.clock();
    const cached = this.#lists.get(cacheKey);
    if (cached && now - cached.at < GIF_CACHE_MS) {
      return cached.gifs.map(toGifDto);
    }
    const endpoint = 'q' in params ? 'search' : 'trending';
    const json = await this.api(`/v1/gifs/${endpoint}`, { ...params, limit: String(PAGE), rating: 'g' });
    const data = (json as { data?: unknown }).data;
    if (!Array.isArray(data)) {
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF provider answered something unexpected');
    }
    const gifs = data.map(toGif).filter((g): g is Gif => g !== null);
    for (const gif of gifs) {
      this.#known.set(gif.id, gif);
    }
    this.#lists.set(cacheKey, { at: now, gifs });
    return gifs.map(toGifDto);
  }

  /** A GIF by id: from a list this instance fetched, else asked of the provider (GET /v1/gifs/<id>). */
  private async gif(id: string): Promise<Gif> {
    this.requireConfig();
    const known = this.#known.get(id);
    if (known) {
      return known;
    }
    const json = await this.api(`/v1/gifs/${encodeURIComponent(id)}`, {});
    const gif = toGif((json as { data?: unknown }).data);
    if (!gif || gif.id !== id) {
      throw new AppError('NOT_FOUND', 'No such GIF');
    }
    this.#known.set(id, gif);
    return gif;
  }

  private async api(path: string, params: Record<string, string>): Promise<unknown> {
    const config = this.requireConfig();
    const url = new URL(`${config.apiUrl}${path}`);
    url.searchParams.set('api_key', config.apiKey);
    for (const [name, value] of Object.entries(params)) {
      url.searchParams.set(name, value);
    }
    const res = await this.request(url.toString());
    try {
      return await res.json();
    } catch {
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF provider answered something unexpected');
    }
  }

  /** One GET to the provider; any failure is GIF_PROVIDER_FAILED, logged without the URL (it holds the key). */
  private async request(url: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'GIF provider unreachable');
      throw new AppError('GIF_PROVIDER_FAILED', 'The GIF provider cannot be reached right now');
    }
    if (!res.ok) {
      await res.body?.cancel();
      this.logger.warn({ status: res.status }, 'GIF provider refused a request');
      throw new AppError('GIF_PROVIDER_FAILED', `The GIF provider answered ${res.status}`);
    }
    return res;
  }
}
