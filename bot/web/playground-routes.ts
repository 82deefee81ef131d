import { randomUUID } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { styleLabel } from '../../shared/styles.js';
import type { BotCore } from '../core/bot-core.js';
import type { IncomingImage } from '../core/image-intake.js';
import { openEventStream } from './event-stream.js';
import { playgroundPage } from './pages.js';
import type { StyleSamples } from './style-samples.js';
import type { WebNotice, WebTarget } from './web-adapter.js';
import type { WebRequests } from './web-requests.js';

const visitorCookie = 'animebot_visitor';
const visitorSchema = z.uuid();
/** Room in a request for the multipart framing and the style field around the image. */
const multipartOverheadBytes = 16 * 1024;

export interface PlaygroundDeps {
  core: BotCore<WebTarget, WebNotice>;
  requests: WebRequests;
  samples: StyleSamples;
  /** MAX_INPUT_BYTES. */
  maxInputBytes: number;
}

/**
 * Anyone's visitor id: a random id in a cookie, which the bot core's per-user limits and
 * records key on like a chat user id.
 */
function visitorOf(request: FastifyRequest, reply: FastifyReply): string {
  const known = visitorSchema.safeParse(request.cookies[visitorCookie]);
  if (known.success) return known.data;
  const id = randomUUID();
  reply.setCookie(visitorCookie, id, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
  return id;
}

/**
 * The playground: the page, the installed styles and their samples, and requests — an
 * upload goes through the bot core's intake like a chat photo, and the page follows it
 * through a Server-Sent Events stream of its view until the result (or the refusal) is there.
 */
export function registerPlaygroundRoutes(app: FastifyInstance, deps: PlaygroundDeps): void {
  const { core, requests, samples, maxInputBytes } = deps;

  app.get('/', async (request, reply) => {
    visitorOf(request, reply);
    return reply.type('text/html').send(playgroundPage({ csrfToken: reply.generateCsrf(), maxInputBytes }));
  });

  app.get('/api/styles', async () => {
    const [installed, { style: defaultStyle }] = await Promise.all([core.installedStyles.list(), core.installedStyles.resolve(undefined).catch(() => ({ style: undefined }))]);
    return { styles: installed.map((style) => ({ style, label: styleLabel(style), isDefault: style === defaultStyle })) };
  });

  app.get<{ Params: { style: string } }>('/styles/:style/sample.jpg', async (request, reply) => {
    const sample = await samples.get(request.params.style);
    if (!sample) return reply.code(404).send({ message: 'No such style.' });
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=300').send(sample);
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- fastify calls a preHandler with the instance as `this`
  app.post('/api/requests', { preHandler: app.csrfProtection }, async (request, reply) => {
    const visitorId = visitorOf(request, reply);
    // The size the browser declares for the whole upload refuses a too-big file before a byte of it is read.
    const declared = Number(request.headers['content-length']);
    if (declared > maxInputBytes + multipartOverheadBytes) throw UserError.fileTooLarge(declared, maxInputBytes);
    const part = await request.file({ limits: { fileSize: maxInputBytes, files: 1, fields: 4 } });
    if (!part) return reply.code(400).send({ code: 'empty_input', message: 'Choose a photo first.' });
    const style = fieldValue(part, 'style');
    const requestId = `web-${randomUUID()}`;
    try {
      const outcome = await core.intake.submit({
        requestId,
        userId: visitorId,
        image: incomingImage(part, declared, maxInputBytes),
        ...(style ? { style } : {}),
        announce: async (text) => {
          const target = { visitorId, requestId };
          await requests.put({ ...target, state: 'queued', text });
          return target;
        },
      });
      return { requestId, submitted: outcome.submitted };
    } finally {
      // A refusal before the image was read (unknown style, limits) leaves it unread; drain it so that the reply goes out.
      part.file.resume();
    }
  });

  app.get<{ Params: { id: string } }>('/api/requests/:id/events', async (request, reply) => {
    const view = await requests.getFor(visitorOf(request, reply), request.params.id);
    if (!view) return reply.code(404).send({ message: 'There is no such request (it may have expired).' });
    const stream = openEventStream(request, reply);
    stream.onClose(requests.watch(view.requestId, (next) => stream.send('view', next)));
    // Read again after subscribing, so that a change in between is not missed.
    stream.send('view', (await requests.get(view.requestId)) ?? view);
  });

  app.get<{ Params: { id: string }; Querystring: { download?: string } }>('/api/requests/:id/result', async (request, reply) => {
    const view = await requests.getFor(visitorOf(request, reply), request.params.id);
    const image = view?.state === 'done' ? await requests.result(view.requestId) : null;
    if (!view || !image) return reply.code(404).send({ message: 'There is no result for this request (it may have expired).' });
    const format = view.format ?? 'png';
    if (request.query.download !== undefined) reply.header('content-disposition', `attachment; filename="animebot-${view.requestId.slice(-8)}.${format}"`);
    return reply.type(`image/${format}`).send(image);
  });
}

function fieldValue(part: MultipartFile, name: string): string | undefined {
  const field = part.fields[name];
  const value = field && !Array.isArray(field) && field.type === 'field' ? field.value : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The uploaded file as the bot core's intake reads any platform's image: declared type first, bytes on demand. */
function incomingImage(part: MultipartFile, declaredRequestBytes: number, maxBytes: number): IncomingImage {
  return {
    declaredType: part.mimetype,
    download: async () => {
      try {
        return await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw UserError.fileTooLarge(Math.max(declaredRequestBytes || 0, maxBytes + 1), maxBytes);
        throw err;
      }
    },
  };
}
