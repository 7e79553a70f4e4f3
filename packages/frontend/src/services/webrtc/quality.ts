/**
 * Connection quality of one remote device from its getStats summary (docs/webrtc.md §7 "Connection quality").
 * Pure, so the thresholds are unit-tested apart from WebRTC.
 */

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

/** Round-trip time or inbound loss strictly above a level's limits means that level (the worse one wins). */
export const QUALITY_THRESHOLDS = {
  poor: { rttMs: 300, lossPct: 5 },
  fair: { rttMs: 150, lossPct: 2 },
} as const;

/** What the classification reads: null = not measured yet (no selected pair, no packets). */
export interface QualityInput {
  rttMs: number | null;
  lossPct: number | null;
  bitrateKbps: number | null;
  /** Either end of the selected candidate pair is a TURN relay candidate; null before a pair is selected. */
  relayed: boolean | null;
}

export function classifyQuality({ rttMs, lossPct }: Pick<QualityInput, 'rttMs' | 'lossPct'>): QualityLevel {
  if (rttMs === null && lossPct === null) {
    return 'unknown';
  }
  const over = (limit: { rttMs: number; lossPct: number }) =>
    (rttMs ?? 0) > limit.rttMs || (lossPct ?? 0) > limit.lossPct;
  if (over(QUALITY_THRESHOLDS.poor)) {
    return 'poor';
  }
  return over(QUALITY_THRESHOLDS.fair) ? 'fair' : 'good';
}

/** Loss % of the packets that were due: lost / (received + lost); null when none were due. */
export function lossPercent(packetsLost: number, packetsReceived: number): number | null {
  // packetsLost can go negative with duplicates (RFC 3550 §6.4.1).
  const lost = Math.max(0, packetsLost);
  const due = lost + packetsReceived;
  return due > 0 ? (lost / due) * 100 : null;
}

/** kbit/s between two samples of received bytes; null without an earlier sample or with no time between them. */
export function bitrateKbps(
  prev: { bytes: number; at: number } | null,
  cur: { bytes: number; at: number },
): number | null {
  if (!prev || cur.at <= prev.at || cur.bytes < prev.bytes) {
    return null;
  }
  return ((cur.bytes - prev.bytes) * 8) / (cur.at - prev.at); // bytes per ms × 8 = kbit/s
}

/** The tooltip and aria-label: "Connection good: round trip 12 ms, loss 0.0 %, 1450 kbit/s, relayed (TURN)". */
export function describeQuality(q: QualityInput): string {
  const level = classifyQuality(q);
  const parts = [
    `round trip ${q.rttMs === null ? '?' : `${Math.round(q.rttMs)} ms`}`,
    `loss ${q.lossPct === null ? '?' : `${q.lossPct.toFixed(1)} %`}`,
    `${q.bitrateKbps === null ? '?' : Math.round(q.bitrateKbps)} kbit/s`,
  ];
  if (q.relayed !== null) {
    parts.push(q.relayed ? 'relayed (TURN)' : 'direct');
  }
  return `Connection ${level}: ${parts.join(', ')}`;
}
