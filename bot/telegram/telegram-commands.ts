import type { Api } from 'grammy';
import type { Logger } from '../../shared/logger.js';
import { commandCatalogue } from '../core/command-catalogue.js';
import { describeError } from './telegram-errors.js';

/**
 * Registers the command menu: everyone sees the user commands; each admin's private chat
 * (scope "chat", whose id is the admin's user id) also lists the admin commands.
 */
export async function registerCommands(api: Api, adminIds: readonly string[], logger: Logger): Promise<void> {
  const menu = (adminOnly: boolean) =>
    commandCatalogue.filter((c) => adminOnly || !c.adminOnly).map((c) => ({ command: c.name, description: c.args ? `${c.args} — ${c.description}` : c.description }));
  await api.setMyCommands(menu(false));
  for (const id of adminIds) {
    // Fails for an admin who never opened a chat with the bot; the commands still work.
    await api
      .setMyCommands(menu(true), { scope: { type: 'chat', chat_id: Number(id) } })
      .catch((err: unknown) => logger.warn({ adminId: id, reason: describeError(err) }, 'registering admin commands failed'));
  }
}
