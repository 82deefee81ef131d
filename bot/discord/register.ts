import { REST } from 'discord.js';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { registerCommands } from './command-registration.js';
import { apiBase } from './discord-api.js';
import { describeError } from './discord-errors.js';

/** `npm run discord:register`: registers the bot's commands globally, or for DISCORD_GUILD_ID. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'discord-register');
  if (!config.DISCORD_TOKEN) {
    logger.fatal('DISCORD_TOKEN is not set');
    process.exit(2);
  }
  const rest = new REST({ api: apiBase(config) }).setToken(config.DISCORD_TOKEN);
  const guildId = config.DISCORD_GUILD_ID;
  try {
    const { applicationId, commands } = await registerCommands(rest, {
      ...(config.DISCORD_APPLICATION_ID ? { applicationId: config.DISCORD_APPLICATION_ID } : {}),
      ...(guildId ? { guildId } : {}),
    });
    logger.info({ applicationId, commands, ...(guildId ? { guildId } : {}) }, guildId ? 'registered the commands for the guild' : 'registered the commands globally');
  } catch (err) {
    logger.fatal({ reason: describeError(err) }, 'registering the commands failed');
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
