import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { portInUse } from './port-in-use.js';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (200 while `healthy()` is true, 503 otherwise, with its details as
 * JSON) and Prometheus `/metrics` from the given registry.
 */
export async function startHealthServer(options: {
  port: number;
  /** The setting that chose the port, named when it is taken. */
  portSetting: string;
  host?: string;
  registry: Registry;
  healthy: () => Promise<{ ok: boolean; details: Record<string, unknown> }>;
}): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    void respond(req.url ?? '/', res).catch((err: Error) => {
      res.writeHead(500).end(err.message);
    });
  });
  async function respond(url: string, res: http.ServerResponse): Promise<void> {
    if (url === '/healthz') {
      const { ok, details } = await options.healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok, ...details }));
    } else if (url === '/metrics') {
      const body = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
    } else {
      res.writeHead(404).end('not found');
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(portInUse(err, options.port, options.portSetting)));
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
