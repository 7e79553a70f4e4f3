/**
 * Voice level of a MediaStream for the call tiles: one AnalyserNode per stream on a shared AudioContext, read
 * ~10 times a second (a tile's meter does not need more, and 8 tiles at 60 Hz would cost for nothing).
 */
let shared: AudioContext | null = null;

function context(): AudioContext {
  shared ??= new AudioContext();
  // Created before a user gesture it starts suspended; by the time a call runs the user has clicked.
  if (shared.state === 'suspended') {
    void shared.resume().catch(() => undefined);
  }
  return shared;
}

/** Calls `onLevel` with 0..1 (peak-decayed, so a short syllable stays visible) until the returned stop. */
export function watchVoiceLevel(stream: MediaStream, onLevel: (level: number) => void): () => void {
  if (stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') {
    onLevel(0);
    return () => undefined;
  }
  const ctx = context();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  // ~85 ms of 48 kHz audio: nearly the whole 100 ms between reads, so a short sound is not missed between them.
  analyser.fftSize = 4096;
  source.connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let level = 0;
  const timer = setInterval(() => {
    analyser.getByteTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) {
      const centered = (sample - 128) / 128;
      sum += centered * centered;
    }
    // RMS of speech sits around 0.02-0.2: scaled so normal speech fills most of the meter.
    const now = Math.min(1, Math.sqrt(sum / samples.length) * 5);
    level = Math.max(now, level * 0.8);
    onLevel(level < 0.01 ? 0 : level);
  }, 100);
  return () => {
    clearInterval(timer);
    source.disconnect();
    analyser.disconnect();
  };
}
