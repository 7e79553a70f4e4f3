import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket';

describe(TokenBucket.name, () => {
  it('allows the burst at once, then one request per refill interval, and says how long to wait', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(50)).toBe(50);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(100);
  });

  it('never refills past the burst, however long it waited', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.isFull(3_600_000)).toBe(true);
    expect([bucket.take(3_600_000), bucket.take(3_600_000), bucket.take(3_600_000)]).toEqual([0, 0, 100]);
  });

  it('gives a refunded token back', () => {
    const bucket = new TokenBucket({ perSecond: 1, burst: 1 }, 0);
    expect(bucket.take(0)).toBe(0);
    bucket.refund();
    expect(bucket.take(0)).toBe(0);
  });
});

describe(KeyedTokenBuckets.name, () => {
  it('keeps one budget per key', () => {
    const buckets = new KeyedTokenBuckets<number>({ perSecond: 1, burst: 1 });
    expect(buckets.bucket(1, 0).take(0)).toBe(0);
    expect(buckets.bucket(1, 0).take(0)).toBeGreaterThan(0);
    expect(buckets.bucket(2, 0).take(0)).toBe(0);
  });

  it('holds at most maxKeys buckets, and prune drops the refilled ones', () => {
    const buckets = new KeyedTokenBuckets<number>({ perSecond: 1, burst: 1 }, 100);
    for (let key = 0; key < 10_000; key++) {
      buckets.bucket(key, 0).take(0);
    }
    expect(buckets.size).toBe(100);
    buckets.bucket(-1, 900).take(900);
    buckets.prune(1_000);
    // Only the bucket spent 100 ms ago is still refilling.
    expect(buckets.size).toBe(1);
  });
});
