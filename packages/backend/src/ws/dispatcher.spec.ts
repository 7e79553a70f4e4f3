import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Connection } from './connections';
import type { Handlers } from './context';
import { Dispatcher } from './dispatcher';

describe(Dispatcher.name, () => {
  it('answers every unknown frame type but logs a flood of them once', async () => {
    const warn = vi.fn();
    const logger = { child: () => ({ warn }) } as unknown as pino.Logger;
    const socket = { readyState: WebSocket.OPEN as number, send: vi.fn(), close: vi.fn() };
    const conn = new Connection('c1', 7, 1, socket as unknown as WebSocket, logger);
    conn.sendFirst('ready');
    const dispatcher = new Dispatcher({} as Handlers, 65_536, pino({ level: 'silent' }));

    for (let i = 0; i < 500; i++) {
      await dispatcher.dispatch({ userId: 7, conn }, Buffer.from(JSON.stringify({ type: `x.y${i}`, data: {} })), false);
    }

    expect(socket.send).toHaveBeenCalledTimes(501);
    expect(String(socket.send.mock.calls[500]?.[0])).toContain('UNKNOWN_TYPE');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ type: 'x.y0' }, 'unknown frame type');
  });
});
