/** Longest side of a poster: the server makes a ≤1600 px preview and a ≤400 px thumbnail from it. */
export const POSTER_MAX_SIDE = 1280;

/** The size to draw a `width`×`height` frame at, scaled down to fit POSTER_MAX_SIDE, never up. */
export function posterSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, POSTER_MAX_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The first frame of a video as a JPEG, drawn by this browser (the server decodes no video). Null when the
 * browser cannot decode it within `timeoutMs` (an unsupported codec, an audio-only file): a poster is optional.
 */
export function firstFrame(file: Blob, timeoutMs = 5_000): Promise<Blob | null> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<Blob | null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    video.onerror = () => resolve(null);
    // loadeddata: the frame at the current position (0) can be drawn.
    video.onloadeddata = () => {
      if (!video.videoWidth || !video.videoHeight) {
        resolve(null);
        return;
      }
      const size = posterSize(video.videoWidth, video.videoHeight);
      const canvas = document.createElement('canvas');
      canvas.width = size.width;
      canvas.height = size.height;
      canvas.getContext('2d')?.drawImage(video, 0, 0, size.width, size.height);
      canvas.toBlob((blob) => resolve(blob), 'image/jpeg', 0.85);
    };
    video.src = url;
  }).finally(() => {
    clearTimeout(timer);
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  });
}
