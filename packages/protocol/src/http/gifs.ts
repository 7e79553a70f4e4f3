import { z } from 'zod';

/** A provider's GIF id (Giphy's are base62); only such ids reach the provider's URL path. */
export const GifId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'not a GIF id');
export type GifId = z.infer<typeof GifId>;

/** One result of the picker. The preview comes through Pychat (`/api/gifs/<id>/preview`), never from the provider. */
export const GifDto = z.strictObject({
  id: GifId,
  title: z.string(),
  /** Size of the preview, for the grid's layout. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  previewUrl: z.string(),
});
export type GifDto = z.infer<typeof GifDto>;

/** GET /api/gifs/trending and GET /api/gifs/search?q= */
export const GifListResponse = z.strictObject({ gifs: z.array(GifDto) });
export type GifListResponse = z.infer<typeof GifListResponse>;

export const GifSearchQuery = z.strictObject({ q: z.string().trim().min(1).max(100) });
export type GifSearchQuery = z.infer<typeof GifSearchQuery>;

/**
 * POST /api/gifs/<id>/attach: the server downloads the GIF into uploads, as if the user had uploaded it; the
 * answer is the same as POST /api/files, and the file is sent with `message.send.attachments`.
 */
export { UploadResponse as GifAttachResponse } from './files';
