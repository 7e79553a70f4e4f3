import { describe, expect, it } from 'vitest';
import { bitrateKbps, classifyQuality, describeQuality, lossPercent } from './quality';

describe('classifyQuality', () => {
  it.each([
    [{ rttMs: 40, lossPct: 0 }, 'good'],
    [{ rttMs: 150, lossPct: 2 }, 'good'], // the limits themselves are still the better level
    [{ rttMs: 151, lossPct: 0 }, 'fair'],
    [{ rttMs: 20, lossPct: 2.5 }, 'fair'],
    [{ rttMs: 300, lossPct: 5 }, 'fair'],
    [{ rttMs: 301, lossPct: 0 }, 'poor'],
    [{ rttMs: 20, lossPct: 6 }, 'poor'],
    [{ rttMs: 200, lossPct: 8 }, 'poor'], // the worse of the two wins
    [{ rttMs: null, lossPct: 7 }, 'poor'],
    [{ rttMs: 400, lossPct: null }, 'poor'],
    [{ rttMs: null, lossPct: null }, 'unknown'],
  ] as const)('%o is %s', (input, level) => {
    expect(classifyQuality(input)).toBe(level);
  });
});

describe('lossPercent and bitrateKbps', () => {
  it('counts lost packets against the packets that were due, none due is unknown', () => {
    expect(lossPercent(5, 95)).toBe(5);
    expect(lossPercent(-2, 100)).toBe(0);
    expect(lossPercent(0, 0)).toBeNull();
  });

  it('computes kbit/s between two samples, unknown without an earlier one', () => {
    expect(bitrateKbps({ bytes: 1_000, at: 10_000 }, { bytes: 251_000, at: 12_000 })).toBe(1000);
    expect(bitrateKbps(null, { bytes: 251_000, at: 12_000 })).toBeNull();
    expect(bitrateKbps({ bytes: 1_000, at: 12_000 }, { bytes: 2_000, at: 12_000 })).toBeNull();
  });
});

describe('describeQuality', () => {
  it('names the level, the figures and whether the pair goes through TURN', () => {
    expect(describeQuality({ rttMs: 12.4, lossPct: 0, bitrateKbps: 1450.2, relayed: true })).toBe(
      'Connection good: round trip 12 ms, loss 0.0 %, 1450 kbit/s, relayed (TURN)',
    );
    expect(describeQuality({ rttMs: 180, lossPct: null, bitrateKbps: null, relayed: false })).toBe(
      'Connection fair: round trip 180 ms, loss ?, ? kbit/s, direct',
    );
  });
});
