import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { commandDefinitions } from './discord-commands.js';

const applicationSchema = z.object({ id: z.string() });
const registeredSchema = z.array(z.object({ name: z.string() }));

export interface Registration {
  applicationId: string;
  /** Names of the commands Discord now has. */
  commands: string[];
}

/**
 * Replaces the application's commands with the bot's: for one guild (they show at once) or
 * globally. Without an application id, the token's own application is asked for it.
 */
export async function registerCommands(rest: REST, options: { applicationId?: string; guildId?: string } = {}): Promise<Registration> {
  const applicationId = options.applicationId ?? applicationSchema.parse(await rest.get(Routes.currentApplication())).id;
  const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
  const registered = registeredSchema.parse(await rest.put(route, { body: commandDefinitions() }));
  return { applicationId, commands: registered.map((c) => c.name) };
}
