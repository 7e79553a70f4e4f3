import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** One remote device as the page's `window.__pychatCall.stats()` (frontend main.ts) sums it up. */
export interface PeerStats {
  connId: string;
  userId: number;
  connectionState: string;
  framesDecoded: number;
  bytesReceived: number;
  localCandidateType: string | null;
  remoteCandidateType: string | null;
}

export type CallWindow = Window & {
  __pychatCall: {
    stats(): Promise<PeerStats[]>;
    peerConnections(): number;
    ringing(): boolean;
    tracks(): { local: string[]; sent: string[] };
  };
};

export function callStats(page: Page): Promise<PeerStats[]> {
  return page.evaluate(() => (window as unknown as CallWindow).__pychatCall.stats());
}

export function ringing(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as CallWindow).__pychatCall.ringing());
}

/**
 * The page decodes video from `peers` remote devices, each one's frame count still rising (polled generously: a
 * loaded 2-core machine takes seconds to connect a mesh).
 */
export async function expectDecodingFrom(page: Page, peers: number): Promise<void> {
  const framesPerPeer = async () => (await callStats(page)).map((p) => p.framesDecoded);
  await expect
    .poll(async () => (await framesPerPeer()).filter((frames) => frames > 5).length, { timeout: 30_000, interval: 500 })
    .toBe(peers);
  const first = await framesPerPeer();
  await expect
    .poll(async () => (await framesPerPeer()).filter((frames, i) => frames > (first[i] ?? 0) + 5).length, {
      timeout: 15_000,
      interval: 500,
    })
    .toBe(peers);
}
