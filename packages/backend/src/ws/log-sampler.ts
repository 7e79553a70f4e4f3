/**
 * Keeps one client from flooding the log: per kind of warning, the first occurrence in each interval is
 * logged and the rest are only counted; the next logged one (or the last line when the socket closes) says
 * how many were dropped. Kinds are fixed strings chosen by the server, never client text, so memory is bounded.
 */
export class LogSampler {
  readonly #kinds = new Map<string, { windowStart: number; suppressed: number }>();

  constructor(private readonly intervalMs: number) {}

  /** null: drop this occurrence (it is counted). Else log it, with the number dropped since the last logged one. */
  sample(kind: string, now: number): number | null {
    const state = this.#kinds.get(kind);
    if (state && now - state.windowStart < this.intervalMs) {
      state.suppressed += 1;
      return null;
    }
    this.#kinds.set(kind, { windowStart: now, suppressed: 0 });
    return state?.suppressed ?? 0;
  }

  /** Occurrences dropped and not reported yet, per kind; reports them once. */
  drain(): Record<string, number> | null {
    let dropped: Record<string, number> | null = null;
    for (const [kind, state] of this.#kinds) {
      if (state.suppressed > 0) {
        dropped ??= {};
        dropped[kind] = state.suppressed;
        state.suppressed = 0;
      }
    }
    return dropped;
  }
}
