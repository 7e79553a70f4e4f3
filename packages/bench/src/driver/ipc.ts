import type { HistogramData } from '../histogram';

/** One simulated client: where it connects and how it authenticates. */
export interface ClientSpec {
  url: string;
  /** Bearer token (Pychat); baselines take the user and rooms in the URL instead. */
  token?: string;
  /** Pychat: users whose presence the client subscribes to right after session.ready (a sidebar's worth). */
  presence?: number[];
}

export interface SenderSpec {
  /** Index of the sending client in this driver's client list. */
  client: number;
  roomId: number;
  /** Sockets that receive each message of this room (members connected), sender included. */
  roomSize: number;
}

export interface LoadSpec {
  senders: SenderSpec[];
  /** `rate`: open loop at `ratePerSender` messages/s; `max`: closed loop, `window` messages in flight per sender. */
  mode: 'rate' | 'max';
  ratePerSender: number;
  window: number;
  durationMs: number;
  /** Remember the ids of received messages (the reconnect storm resyncs from them). */
  trackIds: boolean;
  /** Part of every localId, so each phase's sends are new messages, never resends of an earlier phase. */
  tag: string;
}

export type DriverCommand =
  | {
      cmd: 'init';
      driverId: number;
      clients: ClientSpec[];
      pingIntervalMs: number;
      payloadBytes: number;
      runTag: string;
    }
  | { cmd: 'connect'; concurrency: number; timeoutMs: number }
  | ({ cmd: 'load-start' } & LoadSpec)
  | { cmd: 'stats' }
  | { cmd: 'load-end' }
  | { cmd: 'storm'; roomId: number; timeoutMs: number }
  | { cmd: 'history'; roomId: number; requests: { label: string; beforeId?: number }[]; reconnects: number }
  | { cmd: 'close' };

export interface ConnectResult {
  connected: number;
  failed: number;
  failures: Record<string, number>;
  ms: number;
  latency: HistogramData;
  /** Indexes (in this driver) of the clients that did not connect. */
  failedClients: number[];
  /** Frames received during the connect phase other than session.ready (presence, user lists…). */
  otherFrames: number;
  otherBytes: number;
  /** Total size of the session.ready frames. */
  readyBytes: number;
}

export interface LoadStats {
  sends: number;
  acks: number;
  duplicates: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Sends still unanswered when the phase ended. */
  unanswered: number;
  deliveries: number;
  /** Σ over acknowledged sends of the room size: what should arrive. */
  expected: number;
  otherFrames: number;
  closes: number;
  /** Monotonic clock (µs, same across processes): first send, last delivery, last answer. */
  firstSendAt: number;
  lastDeliveryAt: number;
  lastAckAt: number;
  sendersDone: boolean;
  latency: HistogramData;
  ackLatency: HistogramData;
}

export interface StormResult {
  clients: number;
  resynced: number;
  failed: number;
  failures: Record<string, number>;
  ms: number;
  latency: HistogramData;
  syncedMessages: number;
}

export interface HistoryResult {
  pages: Record<string, HistogramData>;
  errors: number;
  errorCodes: Record<string, number>;
  messages: number;
  connect: HistogramData;
}

export type DriverReply = { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: string };
