import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Paths that may hold secrets. Telegram file URLs carry the bot token in their path, so
 * anything URL-like from the Telegram side is redacted too, and `redactToken` scrubs
 * free text.
 */
const redactPaths = [
  'token',
  '*.token',
  'TELEGRAM_BOT_TOKEN',
  '*.TELEGRAM_BOT_TOKEN',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'REDIS_URL',
  '*.REDIS_URL',
  'fileUrl',
  '*.fileUrl',
  'headers.authorization',
  '*.headers.authorization',
  'config',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV' | 'PRETTY_LOGS'>, name: string): Logger {
  const pretty = config.PRETTY_LOGS ?? (config.NODE_ENV === 'development' && process.stdout.isTTY);
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss' } } } : {}),
  });
}

/** Replaces bot tokens and URL credentials in free text (error messages, URLs). */
export function redactSecrets(text: string): string {
  return text
    .replace(/bot\d+:[\w-]+/g, 'bot[redacted]')
    .replace(/\b\d{6,}:[\w-]{20,}\b/g, '[redacted]')
    .replace(/(\w+:\/\/)[^/@\s]+@/g, '$1[redacted]@');
}
