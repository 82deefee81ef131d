import type { Logger } from '../logger.js';

/**
 * Waits for SIGINT/SIGTERM, then runs `shutdown` once (finish in-flight work, close
 * connections). A second signal exits at once.
 */
export function runUntilSignal(logger: Logger, shutdown: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing in-flight work');
      shutdown()
        .then(() => {
          logger.info('stopped cleanly');
          resolve();
        })
        .catch((err: Error) => {
          logger.error({ err }, 'shutdown failed');
          process.exitCode = 1;
          resolve();
        });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
