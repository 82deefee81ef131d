import { ApplicationCommandType, ContextMenuCommandBuilder, PermissionFlagsBits, SlashCommandBuilder, type RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import { commandCatalogue } from '../core/command-catalogue.js';

/** The names the bot registers and routes by. */
export const commandNames = {
  anime: 'anime',
  animeify: 'Animeify',
  help: 'help',
  styles: 'styles',
  style: 'style',
  status: 'status',
  cancel: 'cancel',
  forget: 'forget',
  admin: 'admin',
} as const;

export const curateDomains = ['A', 'B', 'pair'] as const;

/** What users see about a command, as the shared catalogue describes it. */
function catalogueDescription(name: string): string {
  const info = commandCatalogue.find((c) => c.name === name);
  if (!info) throw new Error(`the command catalogue has no "${name}"`);
  return info.description;
}

/**
 * The application commands: /anime with its options, the "Animeify" message context menu,
 * the user commands, and /admin, which Discord shows only to members with the Administrator
 * permission by default (guild admins can change that; the allowlist in config is what
 * actually lets someone in).
 */
export function commandDefinitions(): RESTPutAPIApplicationCommandsJSONBody {
  const anime = new SlashCommandBuilder()
    .setName(commandNames.anime)
    .setDescription('Turn an image into anime, a sketch or another style')
    .addAttachmentOption((o) => o.setName('image').setDescription('The photo to style').setRequired(true))
    .addStringOption((o) => o.setName('style').setDescription('The style (default: yours, set with /style)').setAutocomplete(true))
    .addBooleanOption((o) => o.setName('private').setDescription('Only you see the result'));
  const animeify = new ContextMenuCommandBuilder().setName(commandNames.animeify).setType(ApplicationCommandType.Message);
  const simple = [commandNames.help, commandNames.styles, commandNames.status, commandNames.cancel, commandNames.forget].map((name) =>
    new SlashCommandBuilder().setName(name).setDescription(catalogueDescription(name)),
  );
  const style = new SlashCommandBuilder()
    .setName(commandNames.style)
    .setDescription(catalogueDescription('style'))
    .addStringOption((o) => o.setName('name').setDescription('The style').setRequired(true).setAutocomplete(true));
  const admin = new SlashCommandBuilder()
    .setName(commandNames.admin)
    .setDescription('Bot administration')
    .setDefaultMemberPermissions(PermissionFlagsBits.Administrator)
    .addSubcommand((s) =>
      s
        .setName('retrain')
        .setDescription(catalogueDescription('retrain'))
        .addStringOption((o) => o.setName('style').setDescription('The style to train').setRequired(true))
        .addStringOption((o) => o.setName('dataset').setDescription('The dataset (default: the style’s own)')),
    )
    .addSubcommand((s) =>
      s
        .setName('eval')
        .setDescription(catalogueDescription('eval'))
        .addStringOption((o) => o.setName('style').setDescription('The style to evaluate').setRequired(true)),
    )
    .addSubcommand((s) => s.setName('models').setDescription(catalogueDescription('models')))
    .addSubcommand((s) =>
      s
        .setName('promote')
        .setDescription(catalogueDescription('promote'))
        .addStringOption((o) => o.setName('style').setDescription('The style').setRequired(true))
        .addStringOption((o) => o.setName('version').setDescription('The version (see /admin models)').setRequired(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('rollback')
        .setDescription(catalogueDescription('rollback'))
        .addStringOption((o) => o.setName('style').setDescription('The style').setRequired(true)),
    )
    .addSubcommand((s) => s.setName('queue').setDescription(catalogueDescription('queue')))
    .addSubcommand((s) => s.setName('runs').setDescription(catalogueDescription('runs')))
    .addSubcommand((s) =>
      s
        .setName('cancelrun')
        .setDescription(catalogueDescription('cancelrun'))
        .addStringOption((o) => o.setName('job').setDescription('The run’s job id (see /admin runs)').setRequired(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('curate')
        .setDescription('Add an image, or one of my results with its photo, to a dataset')
        .addStringOption((o) => o.setName('dataset').setDescription('The dataset').setRequired(true))
        .addAttachmentOption((o) => o.setName('image').setDescription('An image to add'))
        .addStringOption((o) => o.setName('result').setDescription('Link to one of my results (Copy Message Link)'))
        .addStringOption((o) =>
          o
            .setName('domain')
            .setDescription('A: a photo, B: a styled image, pair: a result with its photo (default for a result)')
            .addChoices(...curateDomains.map((d) => ({ name: d, value: d }))),
        ),
    );
  return [anime.toJSON(), animeify.toJSON(), ...simple.map((c) => c.toJSON()), style.toJSON(), admin.toJSON()];
}
