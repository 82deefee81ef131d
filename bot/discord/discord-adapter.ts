import { Routes, type REST, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../shared/logger.js';
import { UndeliverableError, type Answer, type PlatformAdapter, type ProgressUpdate } from '../core/platform-adapter.js';
import { describeError, isPermanent, isReplyGone } from './discord-errors.js';
import { answerMessage, restMessage, textMessage, type OutgoingMessage } from './discord-message.js';
import { discordReplySchema, tokenAlive, type DiscordReply } from './discord-reply.js';

const dmChannelSchema = z.object({ id: z.string() });

/**
 * The bot core's answers and notices on Discord, through the REST API alone (any bot
 * instance can answer, long after the interaction reached another one). While the
 * interaction token lives, the interaction's reply is edited; after that, answers are new
 * messages in the channel that mention the user, or DMs when the channel cannot be used or
 * the request was private.
 */
export class DiscordAdapter implements PlatformAdapter<DiscordReply, DiscordReply> {
  readonly platform = 'discord' as const;
  readonly targetSchema = discordReplySchema;
  readonly noticeTargetSchema = discordReplySchema;
  /** Interaction webhooks allow about five requests per two seconds; one edit a second leaves room for the answer. */
  readonly progressIntervalMs = 1000;

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
  ) {}

  async deliver(target: DiscordReply, answer: Answer): Promise<void> {
    const message = answerMessage(answer);
    if (await this.editWithToken(target, message)) return;
    // The reply no longer takes the answer; it stops saying "Running", and the answer is a new message.
    await this.editAsBot(target, textMessage(answer.statusText)).catch((err: unknown) => this.logger.debug({ reason: describeError(err) }, 'editing an expired reply failed'));
    await this.postOutside(target, message);
  }

  async showProgress(target: DiscordReply, update: ProgressUpdate): Promise<void> {
    await this.editWithToken(target, textMessage(update.text)).catch((err: unknown) => this.logger.debug({ reason: describeError(err) }, 'showing progress failed'));
  }

  async editNotice(target: DiscordReply, text: string): Promise<void> {
    const message = textMessage(text);
    if (!(await this.editWithToken(target, message))) await this.editAsBot(target, message);
  }

  async postNoticeImage(target: DiscordReply, caption: string, image: Buffer): Promise<void> {
    const message: OutgoingMessage = { content: caption, file: { name: 'summary.png', data: image, contentType: 'image/png', description: caption } };
    if (tokenAlive(target)) {
      try {
        await this.rest.post(Routes.webhook(target.applicationId, target.interactionToken), { ...restMessage(message), auth: false });
        return;
      } catch (err) {
        if (!isReplyGone(err)) throw failure(err);
      }
    }
    await this.postOutside(target, message);
  }

  /**
   * Edits the reply (the interaction's own reply, or the follow-up a public request was
   * posted as) with the interaction token: false when the token no longer works. (Webhook
   * requests go without the bot's authorization: a 401 for an expired token must not make the
   * REST client drop the bot token.)
   */
  private async editWithToken(target: DiscordReply, message: OutgoingMessage): Promise<boolean> {
    if (!tokenAlive(target)) return false;
    try {
      await this.rest.patch(Routes.webhookMessage(target.applicationId, target.interactionToken, target.messageId), { ...restMessage(message), auth: false });
      return true;
    } catch (err) {
      if (isReplyGone(err)) return false;
      throw failure(err);
    }
  }

  /** Edits a reply as the bot's own channel message, which works after the token expired (not for private replies). */
  private async editAsBot(target: DiscordReply, message: OutgoingMessage): Promise<void> {
    if (target.private || !target.channelId) return;
    await this.rest.patch(Routes.channelMessage(target.channelId, target.messageId), restMessage(message));
  }

  /** A new message for the user: in the interaction's channel, mentioning them, or by DM. */
  private async postOutside(target: DiscordReply, message: OutgoingMessage): Promise<void> {
    if (!target.private && target.channelId) {
      const { body, files } = restMessage(message, target.userId);
      const channelBody: RESTPostAPIChannelMessageJSONBody = { ...body, message_reference: { message_id: target.messageId, fail_if_not_exists: false } };
      try {
        await this.rest.post(Routes.channelMessages(target.channelId), { body: channelBody, files });
        return;
      } catch (err) {
        if (!isPermanent(err)) throw failure(err);
        this.logger.info({ reason: describeError(err) }, 'the channel cannot be used; answering by DM');
      }
    }
    try {
      const dm = dmChannelSchema.parse(await this.rest.post(Routes.userChannels(), { body: { recipient_id: target.userId } }));
      await this.rest.post(Routes.channelMessages(dm.id), restMessage(message));
    } catch (err) {
      throw failure(err);
    }
  }
}

/** A REST failure for the delivery worker: permanent ones are not retried. */
function failure(err: unknown): Error {
  return isPermanent(err) ? new UndeliverableError(describeError(err), { cause: err }) : new Error(describeError(err), { cause: err });
}
