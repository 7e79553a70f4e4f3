import type { AttachmentKind } from '@pychat/protocol';
import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

/** Raster formats that get renditions. Never SVG (libvips would render it, scripts and external refs included). */
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);
/** Containers whose audio-only recordings file-type reports as video (MediaRecorder's voice messages). */
const AUDIO_OR_VIDEO = new Set(['video/webm', 'video/ogg', 'video/mp4', 'audio/webm', 'audio/ogg', 'audio/mp4']);

/** Served type and kind of an upload, from its first bytes; the browser's claim only tells audio from video. */
export async function detectType(head: Buffer, claimed: string): Promise<{ kind: AttachmentKind; mime: string }> {
  const found = await fileTypeFromBuffer(head);
  if (!found) {
    // Text, HTML, SVG, unknown binaries: a download, never rendered.
    return { kind: 'file', mime: 'application/octet-stream' };
  }
  if (IMAGE_MIMES.has(found.mime)) {
    return { kind: 'image', mime: found.mime };
  }
  if (AUDIO_OR_VIDEO.has(found.mime) && claimed.startsWith('audio/')) {
    // A voice message in a WebM/Ogg/MP4 container: the container is what was detected, the claim only picks
    // the player, and both kinds are served inline as media.
    return { kind: 'audio', mime: found.mime.replace(/^video\//, 'audio/') };
  }
  if (found.mime.startsWith('video/')) {
    return { kind: 'video', mime: found.mime };
  }
  if (found.mime.startsWith('audio/')) {
    return { kind: 'audio', mime: found.mime };
  }
  return { kind: 'file', mime: found.mime };
}

/** Largest decoded image accepted (pixels): a small file that decodes to gigapixels is refused, not rendered. */
const MAX_PIXELS = 100_000_000;
const THUMB_SIZE = 400;
const PREVIEW_SIZE = 1600;

/**
 * Writes the thumbnail (≤400×400) and the preview (≤1600×1600, animated for GIF/WebP) as WebP, EXIF
 * orientation applied and metadata dropped (sharp writes none unless asked). Returns the oriented size of the
 * original, or null if it does not decode (it is then kept as a plain file).
 */
export async function makeRenditions(
  original: string,
  thumb: string,
  preview: string,
): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(original, { limitInputPixels: MAX_PIXELS }).metadata();
    if (!meta.width || !meta.height) {
      return null;
    }
    const rotated = (meta.orientation ?? 1) >= 5;
    const animated = (meta.pages ?? 1) > 1;
    await sharp(original, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toFile(thumb);
    await sharp(original, { limitInputPixels: MAX_PIXELS, animated })
      .rotate()
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toFile(preview);
    const pageHeight = animated ? (meta.pageHeight ?? meta.height) : meta.height;
    return rotated ? { width: pageHeight, height: meta.width } : { width: meta.width, height: pageHeight };
  } catch {
    return null;
  }
}

/**
 * The square WebP thumbnail of an avatar (`size`×`size`, centre-cropped: the browser sends it cropped already,
 * this only guards against a client that does not), first frame only. False if the original does not decode.
 */
export async function makeSquareThumb(original: string, target: string, size: number): Promise<boolean> {
  try {
    await sharp(original, { limitInputPixels: MAX_PIXELS })
      .rotate()
      .resize(size, size, { fit: 'cover', position: 'centre' })
      .webp({ quality: 80 })
      .toFile(target);
    return true;
  } catch {
    return false;
  }
}

/** The type of a stored file from its first bytes (what detectType saw when it was uploaded). */
export async function detectStoredType(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4100);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return (await detectType(head.subarray(0, bytesRead), '')).mime;
  } finally {
    await file.close();
  }
}
