import { Routes, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import type { CurationItem } from '../core/curation.js';
import { decodeAction } from '../core/request-actions.js';
import type { RemoteImage } from './attachment-downloads.js';
import { curateDomains } from './discord-commands.js';
import { describeError, isPermanent } from './discord-errors.js';
import type { HandlerDeps } from './handler-deps.js';
import { answerText, defer, replyTarget } from './interaction-replies.js';
import { attachmentImage } from './message-images.js';

const curateUsage =
  'Give /admin curate an image (added as a photo, A, unless domain says B), or the link of one of my results (added with the photo it was made from, as a pair, unless domain says A or B).';
const messageLinkPattern = /\/channels\/(?:\d+|@me)\/(\d+)\/(\d+)/;

/** The parts of a fetched message that curation reads. */
const linkedMessageSchema = z.object({
  attachments: z.array(z.object({ url: z.string(), size: z.number().optional(), content_type: z.string().optional() })),
  components: z.array(z.object({ components: z.array(z.object({ custom_id: z.string().optional() })).optional() })).optional(),
});

/**
 * `/admin <subcommand>`: the core refuses anyone outside DISCORD_ADMIN_IDS first, with an
 * ephemeral reply, before anything is deferred or queued. Answers are ephemeral, except a
 * training run's notice: it is edited with the run's progress for longer than an interaction
 * token lives, which Discord allows only for messages everyone in the channel sees.
 */
export async function adminCommand(interaction: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const { core, tokenLifetimeMs } = deps;
  const userId = interaction.user.id;
  core.admin.assertAdmin(userId);
  const sub = interaction.options.getSubcommand(true);
  if (sub === 'retrain' || sub === 'eval') {
    // Deferred privately, so that a refusal (unknown style, no trainer running) reaches only the admin; the notice itself is public.
    await defer(interaction, true);
    const dataset = interaction.options.getString('dataset');
    await core.admin.enqueueTraining(userId, { kind: sub === 'retrain' ? 'train' : 'eval', style: interaction.options.getString('style', true), ...(dataset ? { dataset } : {}) }, (text) =>
      replyTarget(interaction, text, tokenLifetimeMs, false),
    );
    return;
  }
  await defer(interaction, true);
  await answerText(interaction, await adminText(sub, interaction, deps));
}

async function adminText(sub: string, interaction: ChatInputCommandInteraction, deps: HandlerDeps): Promise<string> {
  const { admin } = deps.core;
  const userId = interaction.user.id;
  const style = () => interaction.options.getString('style', true);
  switch (sub) {
    case 'models':
      return admin.models(userId);
    case 'promote':
      return admin.promote(userId, style(), interaction.options.getString('version', true));
    case 'rollback':
      return admin.rollback(userId, style());
    case 'queue':
      return admin.queueStats(userId);
    case 'runs':
      return admin.listRuns(userId);
    case 'cancelrun':
      return admin.cancelRun(userId, interaction.options.getString('job', true));
    case 'curate':
      return curate(interaction, deps);
    default:
      throw new UserError('bad_command', `There is no admin command "${sub}".`);
  }
}

async function curate(interaction: ChatInputCommandInteraction, deps: HandlerDeps): Promise<string> {
  const { core, downloads } = deps;
  const dataset = interaction.options.getString('dataset', true);
  const domain = z
    .enum(curateDomains)
    .optional()
    .parse(interaction.options.getString('domain') ?? undefined);
  const link = interaction.options.getString('result');
  const attachment = interaction.options.getAttachment('image');
  const source = link ? await linkedImage(deps, link) : attachment ? { image: attachmentImage(attachment), requestId: undefined } : undefined;
  if (!source) throw new UserError('bad_command', curateUsage);
  const kind = domain ?? (source.requestId ? 'pair' : 'A');
  let item: CurationItem;
  if (kind === 'pair') {
    if (!source.requestId) throw new UserError('bad_command', 'A pair needs the link of one of my results (the photo it was made from is added with it).');
    item = { kind: 'pair', requestId: source.requestId, result: downloads.incoming(source.image) };
  } else {
    item = { kind: 'sample', domain: kind, image: downloads.incoming(source.image) };
  }
  return core.curation.add(interaction.user.id, dataset, item);
}

/** The first attachment of a linked message and, for one of the bot's results, the request it answered (read back from its buttons). */
async function linkedImage({ rest }: HandlerDeps, link: string): Promise<{ image: RemoteImage; requestId: string | undefined }> {
  const ids = messageLinkPattern.exec(link);
  if (!ids) throw new UserError('bad_command', `That is not a message link. ${curateUsage}`);
  let message: z.infer<typeof linkedMessageSchema>;
  try {
    message = linkedMessageSchema.parse(await rest.get(Routes.channelMessage(ids[1]!, ids[2]!)));
  } catch (err) {
    if (isPermanent(err)) throw new UserError('bad_command', `I cannot read that message (${describeError(err)}).`, { cause: err });
    throw err;
  }
  const attachment = message.attachments[0];
  if (!attachment) throw new UserError('not_an_image', 'That message has no image attached.');
  const customIds = (message.components ?? []).flatMap((row) => row.components ?? []).map((c) => c.custom_id ?? '');
  const requestId = customIds.map(decodeAction).find((action) => action !== undefined)?.requestId;
  return {
    image: { url: attachment.url, ...(attachment.size !== undefined ? { size: attachment.size } : {}), ...(attachment.content_type ? { contentType: attachment.content_type } : {}) },
    requestId,
  };
}
