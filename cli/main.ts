import { ConfigError, loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { RedisNotInstalledError } from '../shared/process/local-redis.js';
import { reportRedisOutagesTo } from '../shared/queue/redis.js';
import { CliError } from './cli-error.js';
import { modelsCommand, modelsUsage } from './models-command.js';
import { runsCommand, runsUsage } from './runs-command.js';
import { trainCommand, trainUsage } from './train-command.js';
import { translateCommand, translateUsage } from './translate-command.js';

const usage = `usage: npm run cli -- <command> [options]

${translateUsage}

${modelsUsage}

${trainUsage}

${runsUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  // The CLI's own output is the user interface; logs stay quiet unless asked for.
  const logger = createLogger({ ...config, LOG_LEVEL: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn' }, 'cli');
  reportRedisOutagesTo(logger);
  switch (command) {
    case 'translate':
      await translateCommand(rest, config, logger);
      return 0;
    case 'models':
      await modelsCommand(rest, config);
      return 0;
    case 'train':
    case 'eval':
      await trainCommand(command, rest, config, logger);
      return 0;
    case 'runs':
    case 'cancel':
      await runsCommand(command, rest, config);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
    default:
      throw new CliError(`unknown command "${command}"\n${usage}`, 2);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      process.exit(err.exitCode);
    }
    if (err instanceof ConfigError || err instanceof RedisNotInstalledError) {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
