import { describe, expect, it } from 'vitest';
import { firstFrame, POSTER_MAX_SIDE, posterSize } from './video-poster';

describe('video posters', () => {
  it('scales a large frame down to POSTER_MAX_SIDE, keeping its shape, and never scales up', () => {
    expect(posterSize(3840, 2160)).toEqual({ width: POSTER_MAX_SIDE, height: 720 });
    expect(posterSize(1080, 1920)).toEqual({ width: 720, height: POSTER_MAX_SIDE });
    expect(posterSize(640, 480)).toEqual({ width: 640, height: 480 });
  });

  it('answers null, not an error, when the browser cannot decode the video in time', async () => {
    const started = Date.now();
    expect(await firstFrame(new Blob(['not a video'], { type: 'video/webm' }), 50)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
