/**
 * Moves serialized frames between instances. Publishers hand over one string per fan-out; every instance
 * (the publisher included) receives it once and delivers it to its own sockets.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(message: string): Promise<void>;
  subscribe(handler: (message: string) => void): Promise<void>;
  /** 'up' when messages can flow right now. */
  state(): 'up' | 'down';
  close(): Promise<void>;
}
