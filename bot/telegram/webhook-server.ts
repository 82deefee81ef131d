import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookCallback, type Bot } from 'grammy';
import { portInUse } from '../../shared/http/port-in-use.js';

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Receives updates from Telegram at the path of TELEGRAM_WEBHOOK_URL (a reverse proxy with
 * TLS forwards to this port). Handling may take longer than Telegram waits for (downloads),
 * so a slow update is acknowledged and finishes in the background instead of being redelivered.
 */
export async function startWebhookServer(bot: Bot, options: { port: number; path: string; secretToken?: string }): Promise<WebhookServer> {
  const handle = webhookCallback(bot, 'http', {
    onTimeout: 'return',
    timeoutMilliseconds: 50_000,
    ...(options.secretToken ? { secretToken: options.secretToken } : {}),
  });
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== options.path) {
      res.writeHead(404).end();
      return;
    }
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(portInUse(err, options.port, 'TELEGRAM_WEBHOOK_PORT')));
    server.listen(options.port, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
