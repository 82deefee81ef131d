import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../helpers/wait-for.js';
import { parseMultipart } from '../telegram/multipart.js';
import { GatewayStandIn, gatewayPath } from './gateway-stand-in.js';

export interface DiscordUser {
  id: string;
  username: string;
}

/** A file a user attaches, as the test describes it. */
export interface AttachmentInput {
  bytes: Buffer;
  filename: string;
  contentType?: string;
  /** What Discord declares as the size; defaults to the real size. */
  declaredSize?: number;
  width?: number;
  height?: number;
}

export interface StoredAttachment {
  id: string;
  channelId: string;
  filename: string;
  contentType?: string;
  description?: string;
  bytes: Buffer;
  size: number;
  width?: number;
  height?: number;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  author: DiscordUser;
  fromBot: boolean;
  content: string;
  /** Every content the message had, in order (a deferred reply has none until it is edited). */
  contents: string[];
  buttons: { label: string; customId: string }[];
  attachments: StoredAttachment[];
  embeds: Record<string, unknown>[];
  flags: number;
  /** Users the message notifies (mentioned and allowed by allowed_mentions). */
  pings: string[];
  replyTo?: string;
  /** Set on an interaction's reply ("@original") and followups: messages sent with the interaction token. */
  interactionId?: string;
  /** The bot deleted it (it stays here, with its history, for tests to read). */
  deleted?: boolean;
}

export interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  user: DiscordUser;
  channelId: string;
  createdAt: number;
  tokenLifetimeMs: number;
  /** How the bot acknowledged it: a REST callback, or the response to the interactions endpoint's POST. */
  callbacks: { type: number; at: number; data: Record<string, unknown> | undefined; via: 'rest' | 'http' }[];
  /** For an interaction delivered by HTTP: the status the interactions endpoint answered with, or why there was none or it was refused. */
  httpStatus?: number;
  httpError?: string;
  /** The reply, once the interaction was answered with one. */
  original?: StoredMessage;
  followups: StoredMessage[];
}

export interface UploadedFile {
  field: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

export interface RestCall {
  method: string;
  /** The path under /api/v10. */
  route: string;
  authorized: boolean;
  body: Record<string, unknown> | undefined;
  files: UploadedFile[];
  status: number;
  at: number;
}

interface Channel {
  id: string;
  type: number;
  guildId?: string;
  recipient?: DiscordUser;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const discordEpoch = 1_420_070_400_000;
const flags = { ephemeral: 64, loading: 128 } as const;
const channelTypes = { guildText: 0, dm: 1 } as const;
const interactionTypes = { ping: 1, applicationCommand: 2, messageComponent: 3, autocomplete: 4 } as const;
const callbackTypes = { channelMessage: 4, deferredChannelMessage: 5, autocompleteResult: 8 } as const;
const optionTypes = { subcommand: 1, string: 3, boolean: 5, attachment: 11 } as const;
const callbackWindowMs = 3000;
const defaultTokenLifetimeMs = 15 * 60_000;

/**
 * A local stand-in for Discord: the REST API (v10) under `<origin>/api`, the gateway
 * WebSocket (see GatewayStandIn), and a CDN path serving attachments. It keeps what a bot
 * and users did: interactions with their callbacks, replies and their edits, channel
 * messages, DMs, registered commands. Tests inject what users do (slash commands with
 * attachments, the message context menu, button presses, autocomplete) as INTERACTION_CREATE
 * dispatches, and read what the bot did.
 *
 * With `interactionsUrl` set (the application's "Interactions Endpoint URL"), interactions
 * are POSTed there instead, signed with the application's Ed25519 key as Discord signs them,
 * and the POST's response is the interaction's callback.
 *
 * Discord's rules that the bot must meet are enforced: an interaction is acknowledged once,
 * within 3 s; its token works for webhook calls for a limited time (15 minutes, or what the
 * test says), then gets 401 "Invalid Webhook Token"; ephemeral messages cannot be edited as
 * channel messages; bot-authenticated routes need the bot token.
 */
export class DiscordStandIn {
  readonly calls: RestCall[] = [];
  /** Ids of attachments downloaded through the CDN path. */
  readonly downloads: string[] = [];
  readonly applicationId: string;
  readonly bot: DiscordUser;
  readonly guildId: string;
  /** The guild text channel where users act. */
  readonly channelId: string;
  /** A guild text channel where the bot may not post (its permissions deny it there). */
  readonly lockedChannelId: string;
  /** Commands registered, by route ("global" or the guild id). */
  readonly registeredCommands = new Map<string, Record<string, unknown>[]>();
  readonly gateway: GatewayStandIn;
  /** Where interactions go by HTTP instead of the gateway, once set. */
  interactionsUrl: string | undefined;
  /** The application's Ed25519 key pair, which signs requests to the interactions endpoint. */
  private readonly signingKeys = generateKeyPairSync('ed25519');

  private readonly channels = new Map<string, Channel>();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly attachments = new Map<string, StoredAttachment>();
  private readonly interactions = new Map<string, StoredInteraction>();
  /** POSTs to the interactions endpoint in flight, by interaction id: webhook calls wait for the response, as Discord has it before they come. */
  private readonly httpDeliveries = new Map<string, Promise<void>>();
  private snowflakeIncrement = 0;
  private server!: http.Server;
  private port = 0;

  private constructor(
    readonly token: string,
    heartbeatIntervalMs: number,
  ) {
    this.applicationId = this.snowflake();
    this.bot = { id: this.applicationId, username: 'Anime Test Bot' };
    this.guildId = this.snowflake();
    this.channelId = this.snowflake();
    this.lockedChannelId = this.snowflake();
    for (const id of [this.channelId, this.lockedChannelId]) this.channels.set(id, { id, type: channelTypes.guildText, guildId: this.guildId });
    this.gateway = new GatewayStandIn({
      token,
      heartbeatIntervalMs,
      url: () => this.gatewayUrl,
      readyData: () => ({ v: 10, user: { ...this.userJson(this.bot), bot: true }, guilds: [], application: { id: this.applicationId, flags: 0 }, private_channels: [] }),
    });
  }

  static async start(options: { heartbeatIntervalMs?: number } = {}): Promise<DiscordStandIn> {
    const token = `${Buffer.from(String(Date.now())).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(20).toString('base64url')}`;
    const standIn = new DiscordStandIn(token, options.heartbeatIntervalMs ?? 1000);
    standIn.server = http.createServer((req, res) => void standIn.handle(req, res));
    standIn.gateway.attach(standIn.server);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.port = (standIn.server.address() as AddressInfo).port;
    return standIn;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What DISCORD_API_BASE is set to. */
  get apiBase(): string {
    return `${this.origin}/api`;
  }

  /** The application's public key as the developer portal shows it (what DISCORD_PUBLIC_KEY is set to). */
  get publicKey(): string {
    return Buffer.from(this.signingKeys.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex');
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}${gatewayPath}`;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // What users do.

  /** A user posts a message in the channel. */
  postMessage(user: DiscordUser, content: { text?: string; attachments?: AttachmentInput[]; embeds?: Record<string, unknown>[] }): StoredMessage {
    const message = this.newMessage(this.channelId, user, false, content.text ?? '');
    message.attachments = (content.attachments ?? []).map((a) => this.storeAttachment(a, this.channelId));
    message.embeds = content.embeds ?? [];
    return message;
  }

  /** `/anime image:<attachment> [style] [private]`. */
  anime(user: DiscordUser, image: AttachmentInput, options: { style?: string; private?: boolean; tokenLifetimeMs?: number; channelId?: string } = {}): StoredInteraction {
    const channelId = options.channelId ?? this.channelId;
    const attachment = this.storeAttachment(image, channelId);
    return this.slashCommand(
      user,
      'anime',
      [
        { name: 'image', type: optionTypes.attachment, value: attachment.id },
        ...(options.style !== undefined ? [{ name: 'style', type: optionTypes.string, value: options.style }] : []),
        ...(options.private !== undefined ? [{ name: 'private', type: optionTypes.boolean, value: options.private }] : []),
      ],
      { resolved: { attachments: { [attachment.id]: this.attachmentJson(attachment) } }, channelId, ...(options.tokenLifetimeMs ? { tokenLifetimeMs: options.tokenLifetimeMs } : {}) },
    );
  }

  /** A file on the stand-in's CDN, for links and embeds; returns its id (for `downloaded`) and URL. */
  hostFile(input: AttachmentInput): { id: string; url: string } {
    const attachment = this.storeAttachment(input, this.channelId);
    return { id: attachment.id, url: this.attachmentJson(attachment).url };
  }

  /** `/admin <subcommand> [option:value…]`: string options, or attachments. */
  admin(user: DiscordUser, subcommand: string, options: Record<string, string | AttachmentInput> = {}): StoredInteraction {
    const attachments: Record<string, unknown> = {};
    const subOptions = Object.entries(options).map(([name, value]) => {
      if (typeof value === 'string') return { name, type: optionTypes.string, value };
      const attachment = this.storeAttachment(value, this.channelId);
      attachments[attachment.id] = this.attachmentJson(attachment);
      return { name, type: optionTypes.attachment, value: attachment.id };
    });
    return this.slashCommand(user, 'admin', [{ name: subcommand, type: optionTypes.subcommand, options: subOptions }], { resolved: { attachments } });
  }

  /** Any slash command with its options as Discord sends them. */
  slashCommand(
    user: DiscordUser,
    name: string,
    options: Record<string, unknown>[],
    extra: { resolved?: Record<string, unknown>; tokenLifetimeMs?: number; channelId?: string } = {},
  ): StoredInteraction {
    const data = { id: this.commandId(name), name, type: 1, options, ...(extra.resolved ? { resolved: extra.resolved } : {}) };
    return this.interact(user, interactionTypes.applicationCommand, extra.channelId ?? this.channelId, data, extra);
  }

  /** A message context menu command ("Apps → Animeify") on a message. */
  messageCommand(user: DiscordUser, name: string, target: StoredMessage): StoredInteraction {
    const data = { id: this.commandId(name), name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: this.messageJson(target) } } };
    return this.interact(user, interactionTypes.applicationCommand, target.channelId, data);
  }

  /** A user presses a button of a message. */
  pressButton(user: DiscordUser, message: StoredMessage, customId: string): StoredInteraction {
    if (!message.buttons.some((b) => b.customId === customId)) throw new Error(`message ${message.id} has no button ${customId}`);
    return this.interact(user, interactionTypes.messageComponent, message.channelId, { custom_id: customId, component_type: 2 }, { message });
  }

  /** A user types into an autocomplete option (`focused`) of a slash command. */
  autocomplete(user: DiscordUser, name: string, focused: { name: string; value: string }): StoredInteraction {
    const data = { id: this.commandId(name), name, type: 1, options: [{ name: focused.name, type: optionTypes.string, value: focused.value, focused: true }] };
    return this.interact(user, interactionTypes.autocomplete, this.channelId, data);
  }

  /** Discord checks the Interactions Endpoint URL with a signed PING; the endpoint's answer. */
  async ping(): Promise<{ status: number; body: unknown }> {
    const response = await this.postToEndpoint(JSON.stringify({ id: this.snowflake(), application_id: this.applicationId, type: interactionTypes.ping, token: 'ping', version: 1 }));
    const text = await response.text();
    return { status: response.status, body: text && response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
  }

  /**
   * A POST to the interactions endpoint, signed as Discord signs it: the signature of the
   * timestamp followed by the body, with the application's key. Tests give another key, an
   * old timestamp, the signature of another body or no signature at all to see it refused.
   */
  postToEndpoint(body: string, signing: { key?: KeyObject; timestampS?: number; unsigned?: boolean; signedBody?: string } = {}): Promise<Response> {
    if (!this.interactionsUrl) throw new Error('the interactions endpoint URL is not set');
    const timestamp = String(signing.timestampS ?? Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(timestamp + (signing.signedBody ?? body)), signing.key ?? this.signingKeys.privateKey).toString('hex');
    return fetch(this.interactionsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signing.unsigned ? {} : { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }) },
      body,
    });
  }

  // What the bot did.

  messagesIn(channelId: string, options: { fromBot?: boolean } = {}): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && (options.fromBot === undefined || m.fromBot === options.fromBot));
  }

  /** The DM channel of a user, once the bot opened one. */
  dmChannelOf(userId: string): string | undefined {
    return [...this.channels.values()].find((c) => c.type === channelTypes.dm && c.recipient?.id === userId)?.id;
  }

  /**
   * The message through which the bot answers an interaction: its reply, or, where the bot
   * deleted that, the first follow-up (a public request posted for the channel).
   */
  replyOf(interaction: StoredInteraction): StoredMessage | undefined {
    return interaction.original?.deleted ? interaction.followups[0] : interaction.original;
  }

  /** Webhook calls made with an interaction's token. */
  webhookCalls(interaction: StoredInteraction): RestCall[] {
    return this.calls.filter((c) => c.route.startsWith(`/webhooks/${this.applicationId}/${interaction.token}`));
  }

  downloaded(attachmentId: string): boolean {
    return this.downloads.includes(attachmentId);
  }

  waitFor<T>(description: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    return waitFor(description, probe, {
      timeoutMs,
      context: () =>
        `last REST calls:\n${this.calls
          .slice(-15)
          .map((c) => `${c.method} ${c.route.replace(/\/[\w-]{60,}/, '/<token>')} → ${c.status} ${JSON.stringify(c.body ?? {}).slice(0, 160)}`)
          .join('\n')}`,
    });
  }

  // Internals: objects.

  private snowflake(at = Date.now()): string {
    return ((BigInt(at - discordEpoch) << 22n) | BigInt(this.snowflakeIncrement++ & 0xfff)).toString();
  }

  private commandId(name: string): string {
    for (const commands of this.registeredCommands.values()) {
      const found = commands.find((c) => c.name === name);
      if (found) return String(found.id);
    }
    return this.snowflake();
  }

  private storeAttachment(input: AttachmentInput, channelId: string, description?: string): StoredAttachment {
    const attachment: StoredAttachment = {
      id: this.snowflake(),
      channelId,
      filename: input.filename,
      ...(input.contentType ? { contentType: input.contentType } : {}),
      ...(description !== undefined ? { description } : {}),
      bytes: input.bytes,
      size: input.declaredSize ?? input.bytes.length,
      ...(input.width !== undefined ? { width: input.width, height: input.height ?? input.width } : {}),
    };
    this.attachments.set(attachment.id, attachment);
    return attachment;
  }

  private newMessage(channelId: string, author: DiscordUser, fromBot: boolean, content: string, options: { interactionId?: string; flags?: number } = {}): StoredMessage {
    const message: StoredMessage = {
      id: this.snowflake(),
      channelId,
      author,
      fromBot,
      content,
      contents: options.flags !== undefined && options.flags & flags.loading ? [] : [content],
      buttons: [],
      attachments: [],
      embeds: [],
      flags: options.flags ?? 0,
      pings: [],
      ...(options.interactionId ? { interactionId: options.interactionId } : {}),
    };
    this.messages.set(message.id, message);
    return message;
  }

  private userJson(user: DiscordUser) {
    return { id: user.id, username: user.username, discriminator: '0', global_name: user.username, avatar: null };
  }

  private attachmentJson(a: StoredAttachment) {
    const url = `${this.origin}/attachments/${a.channelId}/${a.id}/${encodeURIComponent(a.filename)}`;
    return {
      id: a.id,
      filename: a.filename,
      size: a.size,
      url,
      proxy_url: url,
      ...(a.contentType ? { content_type: a.contentType } : {}),
      ...(a.description !== undefined ? { description: a.description } : {}),
      ...(a.width !== undefined ? { width: a.width, height: a.height } : {}),
    };
  }

  private messageJson(m: StoredMessage) {
    const channel = this.channels.get(m.channelId);
    return {
      id: m.id,
      channel_id: m.channelId,
      ...(channel?.guildId ? { guild_id: channel.guildId } : {}),
      author: { ...this.userJson(m.author), ...(m.fromBot ? { bot: true } : {}) },
      content: m.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: m.contents.length > 1 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: m.attachments.map((a) => this.attachmentJson(a)),
      embeds: m.embeds,
      pinned: false,
      type: m.interactionId ? 20 : m.replyTo ? 19 : 0,
      flags: m.flags,
      components: rowsJson(m.buttons),
      ...(m.interactionId ? { webhook_id: this.applicationId, application_id: this.applicationId } : {}),
      ...(m.replyTo ? { message_reference: { type: 0, message_id: m.replyTo, channel_id: m.channelId } } : {}),
    };
  }

  private interact(user: DiscordUser, type: number, channelId: string, data: Record<string, unknown>, extra: { tokenLifetimeMs?: number; message?: StoredMessage } = {}): StoredInteraction {
    const createdAt = Date.now();
    const interaction: StoredInteraction = {
      id: this.snowflake(createdAt),
      token: `aW50ZXJhY3Rpb24.${randomBytes(48).toString('base64url')}`,
      type,
      user,
      channelId,
      createdAt,
      tokenLifetimeMs: extra.tokenLifetimeMs ?? defaultTokenLifetimeMs,
      callbacks: [],
      followups: [],
    };
    this.interactions.set(interaction.id, interaction);
    const channel = this.channels.get(channelId);
    const inGuild = channel?.guildId !== undefined;
    const payload = {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      data,
      channel_id: channelId,
      channel: { id: channelId, type: channel?.type ?? channelTypes.guildText, ...(inGuild ? { guild_id: channel.guildId, name: 'general' } : {}) },
      ...(inGuild
        ? { guild_id: channel.guildId, member: { user: this.userJson(user), roles: [], permissions: '0', joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 } }
        : { user: this.userJson(user) }),
      ...(extra.message ? { message: this.messageJson(extra.message) } : {}),
      token: interaction.token,
      version: 1,
      app_permissions: '2048',
      locale: 'en-US',
      ...(inGuild ? { guild_locale: 'en-US' } : {}),
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: inGuild ? 0 : 1,
    };
    if (this.interactionsUrl) this.httpDeliveries.set(interaction.id, this.deliverByHttp(interaction, payload));
    else this.gateway.dispatch('INTERACTION_CREATE', payload);
    return interaction;
  }

  /** Posts an interaction to the endpoint; a 200 response is its callback, checked as a REST callback is. */
  private async deliverByHttp(interaction: StoredInteraction, payload: Record<string, unknown>): Promise<void> {
    try {
      const response = await this.postToEndpoint(JSON.stringify(payload));
      interaction.httpStatus = response.status;
      const raw = Buffer.from(await response.arrayBuffer());
      if (response.status !== 200) return;
      const { body, files } = decodeBody(raw, response.headers.get('content-type') ?? '');
      this.callback(interaction.id, interaction.token, body ?? {}, files, 'http');
    } catch (err) {
      interaction.httpError = (err as Error).message;
    }
  }

  // Internals: REST.

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const attachmentMatch = /^\/attachments\/\d+\/(\d+)\/[^/]+$/.exec(url.pathname);
    if (req.method === 'GET' && attachmentMatch) {
      const attachment = this.attachments.get(attachmentMatch[1]!);
      if (!attachment) {
        res.writeHead(404).end();
        return;
      }
      this.downloads.push(attachment.id);
      res.writeHead(200, { 'content-type': attachment.contentType ?? 'application/octet-stream', 'content-length': attachment.bytes.length }).end(attachment.bytes);
      return;
    }
    const route = url.pathname.startsWith('/api/v10/') ? decodeURIComponent(url.pathname.slice('/api/v10'.length)) : undefined;
    const authorized = req.headers.authorization === `Bot ${this.token}`;
    const call: RestCall = { method: req.method ?? 'GET', route: route ?? url.pathname, authorized, body: undefined, files: [], status: 0, at: Date.now() };
    this.calls.push(call);
    try {
      const { body, files } = await readBody(req);
      call.body = body;
      call.files = files;
      if (route === undefined) throw new ApiError(404, 0, '404: Not Found');
      const result = await this.route(call.method, route, url.searchParams, { body: body ?? {}, files, authorized });
      call.status = result === undefined ? 204 : 200;
      if (result === undefined) res.writeHead(204).end();
      else sendJson(res, 200, result);
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(500, 0, `500: ${(err as Error).message}`);
      call.status = error.status;
      sendJson(res, error.status, { message: error.message, code: error.code });
    }
  }

  private async route(method: string, route: string, query: URLSearchParams, request: { body: Record<string, unknown>; files: UploadedFile[]; authorized: boolean }): Promise<unknown> {
    const { body, files } = request;
    let m: RegExpExecArray | null;
    const botOnly = () => {
      if (!request.authorized) throw new ApiError(401, 0, '401: Unauthorized');
    };
    if (method === 'GET' && route === '/gateway/bot') {
      botOnly();
      return { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 } };
    }
    if (method === 'GET' && route === '/applications/@me') {
      botOnly();
      return { id: this.applicationId, name: 'Anime Test', bot: { ...this.userJson(this.bot), bot: true }, flags: 0 };
    }
    if (method === 'PUT' && (m = /^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/.exec(route))) {
      botOnly();
      if (m[1] !== this.applicationId) throw new ApiError(403, 50001, 'Missing Access');
      const commands = (Array.isArray(body) ? (body as Record<string, unknown>[]) : []).map((c) => ({
        ...c,
        id: this.snowflake(),
        application_id: this.applicationId,
        version: this.snowflake(),
      }));
      this.registeredCommands.set(m[2] ?? 'global', commands);
      return commands;
    }
    if (method === 'POST' && (m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(route))) {
      this.callback(m[1]!, m[2]!, body, files, 'rest');
      return;
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/.exec(route))) {
      const token = m[2]!;
      await this.httpDeliveries.get([...this.interactions.values()].find((i) => i.token === token)?.id ?? '');
      const interaction = this.interactionOfToken(m[1]!, token);
      if (method === 'POST' && !m[3]) return this.followup(interaction, body, files, query.get('wait') === 'true');
      // "@original" is the reply; a message id names the reply or one of the follow-ups.
      const message = m[3] === '@original' ? interaction.original : [interaction.original, ...interaction.followups].find((f) => f?.id === m![3]);
      if (!message || message.deleted) throw new ApiError(404, 10008, 'Unknown Message');
      if (method === 'PATCH') return this.edit(message, body, files);
      if (method === 'DELETE') {
        message.deleted = true;
        return undefined;
      }
    }
    if ((m = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(route))) {
      botOnly();
      const channel = this.usableChannel(m[1]!);
      const message = m[2] ? this.messages.get(m[2]) : undefined;
      if (method === 'POST' && !m[2]) return this.createChannelMessage(channel, body, files);
      // Ephemeral messages exist only for their user: the bot cannot reach them as channel messages.
      if (message?.channelId !== channel.id || message.flags & flags.ephemeral) throw new ApiError(404, 10008, 'Unknown Message');
      if (method === 'GET') return this.messageJson(message);
      if (method === 'PATCH') {
        if (!message.fromBot) throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
        return this.edit(message, body, files);
      }
    }
    if (method === 'POST' && route === '/users/@me/channels') {
      botOnly();
      const recipientId = typeof body.recipient_id === 'string' ? body.recipient_id : '';
      const channel = this.dmChannel(recipientId);
      return { id: channel.id, type: channel.type, recipients: [this.userJson(channel.recipient!)] };
    }
    throw new ApiError(404, 0, `404: the stand-in does not implement ${method} ${route}`);
  }

  private callback(interactionId: string, token: string, body: Record<string, unknown>, files: UploadedFile[], via: 'rest' | 'http'): undefined {
    const interaction = this.interactions.get(interactionId);
    if (interaction?.token !== token) throw new ApiError(404, 10062, 'Unknown interaction');
    const now = Date.now();
    if (interaction.callbacks.length) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
    if (now - interaction.createdAt > callbackWindowMs) throw new ApiError(404, 10062, 'Unknown interaction');
    const type = Number(body.type);
    const data = body.data as Record<string, unknown> | undefined;
    interaction.callbacks.push({ type, at: now, data, via });
    const ephemeral = (Number(data?.flags ?? 0) & flags.ephemeral) !== 0;
    switch (type) {
      case callbackTypes.deferredChannelMessage:
        interaction.original = this.newMessage(interaction.channelId, this.bot, true, '', {
          interactionId,
          flags: flags.loading | (ephemeral ? flags.ephemeral : 0),
        });
        break;
      case callbackTypes.channelMessage:
        interaction.original = this.newMessage(interaction.channelId, this.bot, true, '', { interactionId, flags: ephemeral ? flags.ephemeral : 0 });
        interaction.original.contents = [];
        this.edit(interaction.original, data ?? {}, files);
        break;
      case callbackTypes.autocompleteResult:
        break;
      default:
        throw new ApiError(400, 50035, `Invalid Form Body: callback type ${type} is not supported by the stand-in`);
    }
    return undefined;
  }

  /** The interaction a webhook token belongs to, while the token works. */
  private interactionOfToken(applicationId: string, token: string): StoredInteraction {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (applicationId !== this.applicationId || !interaction) throw new ApiError(404, 10015, 'Unknown Webhook');
    if (Date.now() > interaction.createdAt + interaction.tokenLifetimeMs) throw new ApiError(401, 50027, 'Invalid Webhook Token');
    if (!interaction.callbacks.length) throw new ApiError(404, 10015, 'Unknown Webhook');
    return interaction;
  }

  private followup(interaction: StoredInteraction, body: Record<string, unknown>, files: UploadedFile[], wait: boolean): unknown {
    // Discord's rule: the first follow-up of a deferred interaction still "thinking" is that reply, keeping its flags.
    if (interaction.original && interaction.original.flags & flags.loading) {
      const edited = this.edit(interaction.original, body, files);
      return wait ? edited : undefined;
    }
    const ephemeral = (Number(body.flags ?? 0) & flags.ephemeral) !== 0;
    const message = this.newMessage(interaction.channelId, this.bot, true, '', { interactionId: interaction.id, flags: ephemeral ? flags.ephemeral : 0 });
    message.contents = [];
    this.edit(message, body, files);
    interaction.followups.push(message);
    return wait ? this.messageJson(message) : undefined;
  }

  private createChannelMessage(channel: Channel, body: Record<string, unknown>, files: UploadedFile[]): unknown {
    const message = this.newMessage(channel.id, this.bot, true, '');
    message.contents = [];
    const reference = body.message_reference as { message_id?: string } | undefined;
    if (reference?.message_id && this.messages.has(reference.message_id)) message.replyTo = reference.message_id;
    return this.edit(message, body, files);
  }

  /** Applies a message body (create or edit): content, components, attachments (v10: those listed stay or are added), allowed mentions. */
  private edit(message: StoredMessage, body: Record<string, unknown>, files: UploadedFile[]): unknown {
    if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
    if ('components' in body) message.buttons = buttonsOf(body.components);
    if ('embeds' in body && Array.isArray(body.embeds)) message.embeds = body.embeds as Record<string, unknown>[];
    const uploads = new Map(files.map((f) => [/^files\[(\d+)\]$/.exec(f.field)?.[1] ?? f.field, f]));
    if (Array.isArray(body.attachments)) {
      message.attachments = (body.attachments as { id?: unknown; filename?: string; description?: string }[]).map((entry) => {
        const id = String(entry.id);
        const kept = message.attachments.find((a) => a.id === id);
        if (kept) return kept;
        const upload = uploads.get(id);
        if (!upload) throw new ApiError(400, 50035, `Invalid Form Body: attachments: no uploaded file ${id}`);
        return this.storeAttachment(
          { bytes: upload.bytes, filename: entry.filename ?? upload.filename ?? 'file', ...(upload.contentType ? { contentType: upload.contentType } : {}) },
          message.channelId,
          entry.description,
        );
      });
    } else if (files.length) {
      message.attachments = [
        ...message.attachments,
        ...files.map((f) => this.storeAttachment({ bytes: f.bytes, filename: f.filename ?? 'file', ...(f.contentType ? { contentType: f.contentType } : {}) }, message.channelId)),
      ];
    }
    const mentioned = [...message.content.matchAll(/<@!?(\d+)>/g)].map((x) => x[1]!);
    const allowed = body.allowed_mentions as { parse?: string[]; users?: string[] } | undefined;
    message.pings = allowed ? mentioned.filter((id) => allowed.parse?.includes('users') || allowed.users?.includes(id)) : mentioned;
    message.flags &= ~flags.loading;
    message.contents.push(message.content);
    return this.messageJson(message);
  }

  private usableChannel(channelId: string): Channel {
    const channel = this.channels.get(channelId);
    if (!channel) throw new ApiError(404, 10003, 'Unknown Channel');
    if (channelId === this.lockedChannelId) throw new ApiError(403, 50001, 'Missing Access');
    return channel;
  }

  private dmChannel(userId: string): Channel {
    const existing = [...this.channels.values()].find((c) => c.type === channelTypes.dm && c.recipient?.id === userId);
    if (existing) return existing;
    const interaction = [...this.interactions.values()].find((i) => i.user.id === userId);
    if (!interaction) throw new ApiError(400, 50035, 'Invalid Form Body: recipient_id: unknown user');
    const channel: Channel = { id: this.snowflake(), type: channelTypes.dm, recipient: interaction.user };
    this.channels.set(channel.id, channel);
    return channel;
  }
}

function rowsJson(buttons: StoredMessage['buttons']) {
  const rows = [];
  for (let i = 0; i < buttons.length; i += 5) {
    rows.push({ type: 1, components: buttons.slice(i, i + 5).map((b) => ({ type: 2, style: 2, label: b.label, custom_id: b.customId })) });
  }
  return rows;
}

function buttonsOf(components: unknown): StoredMessage['buttons'] {
  const rows = Array.isArray(components) ? (components as { components?: { type?: number; label?: string; custom_id?: string }[] }[]) : [];
  return rows.flatMap((row) => row.components ?? []).flatMap((c) => (c.type === 2 && c.custom_id ? [{ label: c.label ?? '', customId: c.custom_id }] : []));
}

async function readBody(req: http.IncomingMessage): Promise<{ body: Record<string, unknown> | undefined; files: UploadedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return decodeBody(Buffer.concat(chunks), req.headers['content-type'] ?? '');
}

/** A message body (a REST request's, an interaction response's): JSON, or multipart with `payload_json` and `files[n]` parts. */
function decodeBody(raw: Buffer, type: string): { body: Record<string, unknown> | undefined; files: UploadedFile[] } {
  if (!raw.length) return { body: undefined, files: [] };
  if (type.startsWith('application/json')) return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
  if (type.startsWith('multipart/form-data')) {
    const parts = parseMultipart(raw, type);
    const payload = parts.find((p) => p.name === 'payload_json');
    const files = parts
      .filter((p) => p.filename !== undefined)
      .map((p) => ({ field: p.name, bytes: p.data, ...(p.filename !== undefined ? { filename: p.filename } : {}), ...(p.contentType ? { contentType: p.contentType } : {}) }));
    return { body: payload ? (JSON.parse(payload.data.toString('utf8')) as Record<string, unknown>) : {}, files };
  }
  throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
