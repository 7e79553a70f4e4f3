/**
 * Latency histogram in microseconds: 16 buckets per power of two (about 4 % resolution) from 1 µs to
 * about 2^31 µs, so every delivery can be recorded at the cost of one Math.log2. Histograms from
 * several driver processes merge by adding counts.
 */
const SUB_BUCKETS = 16;
const OCTAVES = 32;
export const BUCKETS = SUB_BUCKETS * OCTAVES;

export interface HistogramData {
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(us: number): void {
    const v = us < 1 ? 1 : us;
    let bucket = Math.floor(Math.log2(v) * SUB_BUCKETS);
    if (bucket >= BUCKETS) {
      bucket = BUCKETS - 1;
    }
    this.counts[bucket]++;
    this.count++;
    this.sum += v;
    if (v < this.min) {
      this.min = v;
    }
    if (v > this.max) {
      this.max = v;
    }
  }

  toData(): HistogramData {
    return { counts: Array.from(this.counts), count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  static merge(parts: HistogramData[]): HistogramData {
    const counts = new Array<number>(BUCKETS).fill(0);
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = 0;
    for (const part of parts) {
      for (let i = 0; i < BUCKETS; i++) {
        counts[i] += part.counts[i] ?? 0;
      }
      count += part.count;
      sum += part.sum;
      min = Math.min(min, part.min);
      max = Math.max(max, part.max);
    }
    return { counts, count, sum, min, max };
  }
}

/** Value (µs) at the given quantile; the geometric middle of its bucket, clamped to the observed range. */
function quantile(data: HistogramData, q: number): number {
  if (data.count === 0) {
    return 0;
  }
  const rank = Math.ceil(q * data.count);
  let seen = 0;
  for (let i = 0; i < data.counts.length; i++) {
    seen += data.counts[i];
    if (seen >= rank) {
      const mid = 2 ** ((i + 0.5) / SUB_BUCKETS);
      return Math.min(Math.max(mid, data.min), data.max);
    }
  }
  return data.max;
}

/** Summary in milliseconds (input histograms are in µs). */
export function summarize(data: HistogramData): Summary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: data.count,
    mean: data.count === 0 ? 0 : ms(data.sum / data.count),
    p50: ms(quantile(data, 0.5)),
    p95: ms(quantile(data, 0.95)),
    p99: ms(quantile(data, 0.99)),
    max: data.count === 0 ? 0 : ms(data.max),
  };
}
