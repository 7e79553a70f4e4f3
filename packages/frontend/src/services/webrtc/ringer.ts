/** The ring of an incoming call: a generated two-tone burst every 2 s (no sound file to cache). */
export interface Ringer {
  start(): void;
  stop(): void;
  readonly ringing: boolean;
}

export class ToneRinger implements Ringer {
  #timer: ReturnType<typeof setInterval> | null = null;
  #ctx: AudioContext | null = null;

  get ringing(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer !== null) {
      return;
    }
    this.#burst();
    this.#timer = setInterval(() => this.#burst(), 2_000);
  }

  stop(): void {
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #burst(): void {
    try {
      this.#ctx ??= new AudioContext();
      const ctx = this.#ctx;
      void ctx.resume().catch(() => undefined);
      const gain = ctx.createGain();
      gain.gain.value = 0.12;
      gain.connect(ctx.destination);
      // Two short rings of a 440+480 Hz pair, like a telephone.
      for (const at of [0, 0.45]) {
        for (const freq of [440, 480]) {
          const osc = ctx.createOscillator();
          osc.frequency.value = freq;
          osc.connect(gain);
          osc.start(ctx.currentTime + at);
          osc.stop(ctx.currentTime + at + 0.35);
        }
      }
    } catch {
      // Autoplay policy before any user gesture: the dialog still shows.
    }
  }
}

/** "Play test sound" of the device settings: a short tone on the chosen speaker where the browser can pick one. */
export async function playTestSound(speakerId: string): Promise<void> {
  const ctx = new AudioContext();
  const sink = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
  if (speakerId && sink.setSinkId) {
    await sink.setSinkId(speakerId);
  }
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.2, ctx.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.8);
  gain.connect(ctx.destination);
  const osc = ctx.createOscillator();
  osc.frequency.value = 660;
  osc.connect(gain);
  osc.start();
  osc.stop(ctx.currentTime + 0.8);
  osc.onended = () => void ctx.close();
}
