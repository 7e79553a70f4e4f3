import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../observability/metrics';
import { opsRouter } from './ops.router';

const health = { ok: true, db: 'up' as const, bus: 'memory' as const, instanceId: 'i', uptimeS: 1 };
let server: Server | undefined;

async function serve(options: { token: string | null; stopping?: boolean; ok?: boolean }): Promise<string> {
  const metrics = new Metrics({ connections: () => 0, pingDb: async () => 0, info: {} });
  const app = express().use(
    opsRouter({
      health: async () => ({ ...health, ok: options.ok ?? true }),
      stopping: () => options.stopping ?? false,
      metrics,
      metricsToken: options.token,
    }),
  );
  server = createServer(app);
  await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(() => {
  server?.close();
});

describe(opsRouter.name, () => {
  it('is live while serving, ready only when healthy and not stopping', async () => {
    let url = await serve({ token: null });
    expect((await fetch(`${url}/api/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
    server?.close();
    url = await serve({ token: null, stopping: true });
    expect((await fetch(`${url}/api/health/live`)).status).toBe(200);
    const ready = await fetch(`${url}/api/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, db: 'up' });
    server?.close();
    url = await serve({ token: null, ok: false });
    expect((await fetch(`${url}/api/health/ready`)).status).toBe(503);
  });

  it('serves /metrics to loopback without a token, and only with the right bearer token when one is set', async () => {
    let url = await serve({ token: null });
    const open = await fetch(`${url}/metrics`);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    server?.close();
    url = await serve({ token: 'a-long-enough-token' });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-same-l' } })).status).toBe(
      401,
    );
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer a-long-enough-token' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('pychat_ws_connections 0');
  });
});
