import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultRestOptions, InteractionResponseType, InteractionType, type RESTOptions, type ResponseLike } from 'discord.js';
import { z } from 'zod';
import { portInUse } from '../../shared/http/port-in-use.js';
import type { Logger } from '../../shared/logger.js';
import { describeError } from './discord-errors.js';
import type { InteractionSignature } from './interaction-signature.js';

/** Where Discord posts interactions ("Interactions Endpoint URL" in the developer portal, through a TLS proxy). */
export const interactionsPath = '/interactions';

/** An interaction, with its Discord message when it has one, is a few kilobytes. */
const maxBodyBytes = 1024 * 1024;
/** Discord waits 3 s for the response to an interaction, then shows "This interaction failed". */
const responseWindowMs = 3000;
const callbackRoute = /\/interactions\/(\d+)\/[^/]+\/callback$/;

/** The fields the endpoint reads; the rest of the payload is Discord's, read by discord.js as it reads gateway interactions. */
const interactionSchema = z.looseObject({
  id: z.string().regex(/^\d{1,20}$/),
  type: z.enum(InteractionType),
  application_id: z.string().regex(/^\d{1,20}$/),
  token: z.string().min(1),
});
export type InteractionPayload = z.infer<typeof interactionSchema>;

/** An interaction response as the REST client encoded it: JSON, or multipart form data when it carries files. */
interface EncodedResponse {
  contentType: string;
  body: Buffer;
}

/**
 * Discord's HTTP interactions: each interaction arrives as a signed POST, whose response is
 * the interaction's first response (deferred, a message, autocomplete choices). Interactions
 * go to the same handlers as gateway ones, which answer through discord.js as always: the
 * REST client's `makeRequest` is this endpoint's, and turns the callback request of an
 * interaction whose POST is waiting into that POST's response. Everything after it
 * (edits, follow-ups, channel messages) goes to Discord's REST API as usual.
 */
export class InteractionsEndpoint {
  private readonly waiting = new Map<string, (response: EncodedResponse) => void>();
  private server: http.Server | undefined;

  constructor(
    private readonly signature: InteractionSignature,
    private readonly logger: Logger,
  ) {}

  readonly makeRequest: RESTOptions['makeRequest'] = async (url, init): Promise<ResponseLike> => {
    const interactionId = callbackRoute.exec(new URL(url).pathname)?.[1];
    const respond = interactionId === undefined ? undefined : this.waiting.get(interactionId);
    // Any other request, or a callback whose POST was already answered (with 500, after the window): Discord answers it.
    if (!interactionId || !respond) return DefaultRestOptions.makeRequest(url, init);
    this.waiting.delete(interactionId);
    const encoded = new Response(init.body as BodyInit | null);
    const contentType = new Headers(init.headers as HeadersInit).get('content-type') ?? encoded.headers.get('content-type') ?? 'application/json';
    respond({ contentType, body: Buffer.from(await encoded.arrayBuffer()) });
    return noContent();
  };

  /** Listens on `port`; each verified interaction goes to `receive`. Returns the port. */
  async listen(port: number, receive: (interaction: InteractionPayload) => void): Promise<number> {
    const server = http.createServer((req, res) => {
      this.handle(req, res, receive).catch((err: unknown) => {
        this.logger.error({ reason: describeError(err) }, 'answering an interaction request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(portInUse(err, port, 'DISCORD_INTERACTIONS_PORT')));
      server.listen(port, resolve);
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const { server } = this;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, receive: (interaction: InteractionPayload) => void): Promise<void> {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== interactionsPath) {
      res.writeHead(404).end();
      return;
    }
    const body = await readBody(req);
    if (!body) {
      res.writeHead(413).end();
      return;
    }
    const signed = this.signature.valid({ signature: header(req, 'x-signature-ed25519'), timestamp: header(req, 'x-signature-timestamp') }, body);
    if (!signed) {
      this.logger.debug('refused an interaction request without a valid signature');
      res.writeHead(401, { 'content-type': 'text/plain' }).end('invalid request signature');
      return;
    }
    const parsed = interactionSchema.safeParse(parseJson(body));
    if (!parsed.success) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('not an interaction');
      return;
    }
    const interaction = parsed.data;
    if (interaction.type === InteractionType.Ping) {
      sendJson(res, { type: InteractionResponseType.Pong });
      return;
    }
    if (this.waiting.has(interaction.id)) {
      res.writeHead(409).end();
      return;
    }
    const response = await this.firstResponse(interaction, receive);
    if (!response) {
      this.logger.warn({ interactionId: interaction.id }, 'an interaction got no response within 3 s');
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': response.contentType, 'content-length': response.body.length }).end(response.body);
  }

  /** The interaction's first response, as its handler sends it; undefined when none comes in time. */
  private firstResponse(interaction: InteractionPayload, receive: (interaction: InteractionPayload) => void): Promise<EncodedResponse | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(interaction.id);
        resolve(undefined);
      }, responseWindowMs);
      this.waiting.set(interaction.id, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
      try {
        receive(interaction);
      } catch (err) {
        this.logger.error({ interactionId: interaction.id, reason: describeError(err) }, 'reading an interaction failed');
        clearTimeout(timer);
        this.waiting.delete(interaction.id);
        resolve(undefined);
      }
    });
  }
}

/** What the REST client gets back for a callback answered by HTTP: Discord's answer to a callback, 204 No Content. */
function noContent(): ResponseLike {
  const empty = new Response(null, { status: 204 });
  return {
    body: null,
    bodyUsed: false,
    ok: true,
    status: empty.status,
    statusText: 'No Content',
    headers: empty.headers,
    arrayBuffer: () => empty.arrayBuffer(),
    json: () => empty.json(),
    text: () => empty.text(),
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The raw body (signatures are over its exact bytes); undefined when it is over the limit. */
async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end, so that the response can still be sent, keeping nothing past the limit.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
  }
  return size <= maxBodyBytes ? Buffer.concat(chunks) : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sendJson(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
