import type { Logger } from '../logger.js';

export interface RunUntilSignalOptions {
  /** On a second signal, before exiting: stop what must not outlive us (child processes, a local server). */
  stopNow?: () => void;
  /** Starts the graceful shutdown without a signal (a child process that died), with this reason. */
  stopWhen?: Promise<string>;
}

/**
 * Waits for SIGINT (Ctrl-C), SIGTERM or SIGHUP (the terminal closed), then runs `shutdown`
 * once (finish in-flight work, close connections). A second signal exits at once. A process
 * started with an IPC channel (by `npm start`) also stops when its parent goes away.
 */
export function runUntilSignal(logger: Logger, shutdown: () => Promise<void>, options: RunUntilSignalOptions = {}): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, `${reason}: finishing in-flight work, then stopping (Ctrl-C again to stop at once)`);
      shutdown()
        .then(() => logger.info('stopped cleanly'))
        .catch((err: Error) => {
          logger.error({ err }, 'shutdown failed');
          process.exitCode = 1;
        })
        .finally(() => {
          // The IPC channel to `npm start` would keep this process alive.
          if (process.connected) process.disconnect?.();
          resolve();
        });
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stopping) {
        stop(signal);
        return;
      }
      logger.warn({ signal }, 'second signal: stopping at once, without waiting for in-flight work');
      options.stopNow?.();
      process.exit(130);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    // `send` without a channel: the parent went away while this process was starting.
    if (process.connected) process.once('disconnect', () => stop('parent process gone'));
    else if (typeof process.send === 'function') stop('parent process gone');
    options.stopWhen?.then(
      (reason) => {
        if (stopping) return;
        process.exitCode = 1;
        logger.error(reason);
        stop(reason);
      },
      () => undefined,
    );
  });
}
