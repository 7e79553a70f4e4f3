import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConfigError, loadConfig } from '../config/config';

/** Asks the local server for /api/health/live; the self-signed certificate is fine here. */
export function probe(url: string, timeoutMs = 4000): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function localUrl(config: { host: string; port: number; tls: unknown }, path: string): string {
  const host = ['0.0.0.0', '::', ''].includes(config.host)
    ? '127.0.0.1'
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  return `${config.tls ? 'https' : 'http'}://${host}:${config.port}${path}`;
}

/** `pychat healthcheck`: the container HEALTHCHECK. Exit 0 when live. */
export async function healthcheck(): Promise<number> {
  // Not cliConfig(): that module loads TypeORM, and this runs every 30 s in the container.
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.problems.join('\n') : String(error));
    return 1;
  }
  try {
    const status = await probe(localUrl(config, '/api/health/live'));
    return status === 200 ? 0 : 1;
  } catch (error) {
    console.error(`not live: ${(error as Error).message}`);
    return 1;
  }
}
