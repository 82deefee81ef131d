import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue, QueueEvents } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { styleName } from '../../shared/queue/contracts.js';
import type { TrainRun } from '../../shared/queue/train-runs.js';
import type { StyleVersions } from '../core/admin-actions.js';
import type { BotCore } from '../core/bot-core.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import { webAdminId, type AdminSession } from './admin-session.js';
import { openEventStream } from './event-stream.js';
import { adminOffPage, dashboardPage, loginPage } from './pages.js';
import { adminNoticesTopic, type WebNotice, type WebTarget } from './web-adapter.js';
import type { WebEvents } from './web-events.js';

/** The report images the trainer writes into a run's folder (trainer/reports/run-report.ts) that the dashboard shows; summary.png, for chats, repeats them. */
const runImages = ['loss-curve.png', 'samples.png'] as const;
const runIdSchema = z.string().regex(/^[\w.:-]{1,200}$/);
const trainEventNames = ['added', 'active', 'progress', 'completed', 'failed', 'removed'] as const;
/** Dashboards get a fresh run list at most this often while a run reports progress. */
const snapshotIntervalMs = 500;

type Admin = BotCore<WebTarget, WebNotice>['admin'];

/** An admin action of the dashboard: what its request carries, and the AdminActions call (the chat commands' own). */
function action<S extends z.ZodObject>(input: S, run: (admin: Admin, input: z.infer<S>) => Promise<string>) {
  return { input, run };
}

const actions = {
  promote: action(z.object({ style: styleName, version: z.string().min(1).max(100) }), (admin, { style, version }) => admin.promote(webAdminId, style, version)),
  rollback: action(z.object({ style: styleName }), (admin, { style }) => admin.rollback(webAdminId, style)),
  cancel: action(z.object({ jobId: z.string().min(1).max(200) }), (admin, { jobId }) => admin.cancelRun(webAdminId, jobId)),
  retrain: action(z.object({ style: styleName }), async (admin, { style }) => {
    let queued = '';
    const jobId = await admin.enqueueTraining(webAdminId, { kind: 'train', style }, async (text) => {
      queued = text;
      return { noticeId: randomUUID() };
    });
    return `${queued} (job ${jobId})`;
  }),
};

export interface AdminDeps {
  core: BotCore<WebTarget, WebNotice>;
  session: AdminSession;
  events: WebEvents;
  /** Train queue events, for the dashboards' live run list. */
  trainEvents: QueueEvents;
  /** Every queue, for bull-board. */
  queues: Queue[];
  runsDir: string;
  /** Login attempts per client address. */
  loginLimiter: RateLimiter;
}

/** A run as the dashboard shows it: the run list's entry and which report images its folder has. */
export interface DashboardRun extends TrainRun {
  images: string[];
}

/**
 * The admin area: login, the dashboard (runs with live progress, their reports and metrics,
 * the models, and the buttons that call the bot core's AdminActions like the chat commands
 * do), bull-board at /admin/queues, all behind the session. Every state-changing request
 * carries the CSRF token; bull-board's own requests (it cannot send one) must come from
 * this origin, and the session cookie is SameSite=Strict besides.
 */
export async function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const { core, session, events } = deps;

  if (!session.enabled) {
    app.get('/admin', async (_request, reply) => reply.code(404).type('text/html').send(adminOffPage()));
    app.all('/admin/*', async (_request, reply) => reply.code(404).send({ code: 'forbidden', message: 'The admin area is off: set ADMIN_PASSWORD to turn it on.' }));
    return;
  }

  const requireLogin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (session.isLoggedIn(request)) return;
    if (request.method === 'GET' && !request.url.startsWith('/admin/api')) return reply.redirect('/admin', 303);
    return reply.code(401).send({ code: 'forbidden', message: 'Log in first.' });
  };

  app.get('/admin', async (request, reply) => {
    const csrfToken = reply.generateCsrf();
    return reply.type('text/html').send(session.isLoggedIn(request) ? dashboardPage({ csrfToken }) : loginPage({ csrfToken }));
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- fastify calls a preHandler with the instance as `this`
  app.post<{ Body: { password?: unknown } | undefined }>('/admin/login', { preHandler: app.csrfProtection }, async (request, reply) => {
    const refuse = (error: string) =>
      reply
        .code(401)
        .type('text/html')
        .send(loginPage({ csrfToken: reply.generateCsrf(), error }));
    try {
      await deps.loginLimiter.consume(`login-${request.ip}`);
    } catch (err) {
      if (err instanceof UserError && err.code === 'rate_limited') return refuse('Too many login attempts from your address. Try again in a few minutes.');
      throw err;
    }
    const password = typeof request.body?.password === 'string' ? request.body.password : '';
    if (!session.checkPassword(password)) return refuse('Wrong password.');
    session.logIn(reply);
    return reply.redirect('/admin', 303);
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- as above
  app.post('/admin/logout', { preHandler: app.csrfProtection }, async (_request, reply) => {
    session.logOut(reply);
    return reply.redirect('/admin', 303);
  });

  await app.register(async (area) => {
    area.addHook('onRequest', requireLogin);

    area.get('/admin/api/events', async (request, reply) => {
      const stream = openEventStream(request, reply);
      let timer: NodeJS.Timeout | undefined;
      const sendSnapshot = () => {
        timer = undefined;
        dashboardSnapshot(deps).then(
          (snapshot) => stream.send('snapshot', snapshot),
          (err: unknown) => request.log.warn({ err }, 'reading the dashboard snapshot failed'),
        );
      };
      const onTrainEvent = () => {
        timer ??= setTimeout(sendSnapshot, snapshotIntervalMs);
      };
      for (const name of trainEventNames) deps.trainEvents.on(name, onTrainEvent);
      const stopNotices = events.subscribe(adminNoticesTopic, (notice) => stream.send('notice', notice));
      stream.onClose(() => {
        for (const name of trainEventNames) deps.trainEvents.off(name, onTrainEvent);
        stopNotices();
        clearTimeout(timer);
      });
      sendSnapshot();
    });

    area.get<{ Params: { runId: string; image: string } }>('/admin/runs/:runId/:image', async (request, reply) => {
      const { runId, image } = request.params;
      const file = (runImages as readonly string[]).includes(image) && runIdSchema.safeParse(runId).success ? path.join(deps.runsDir, runId, image) : undefined;
      const bytes = file ? await readFile(file).catch(() => undefined) : undefined;
      if (!bytes) return reply.code(404).send({ message: 'No such report image.' });
      return reply.type('image/png').send(bytes);
    });

    // eslint-disable-next-line @typescript-eslint/unbound-method -- as above
    area.post<{ Params: { action: string }; Body: unknown }>('/admin/api/actions/:action', { preHandler: area.csrfProtection }, async (request) => {
      return { text: await runAction(core.admin, request.params.action, request.body) };
    });

    const board = new FastifyAdapter();
    board.setBasePath('/admin/queues');
    createBullBoard({ queues: deps.queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
    await area.register(async (queuesArea) => {
      queuesArea.addHook('onRequest', sameOriginOnly);
      await queuesArea.register(board.registerPlugin(), { prefix: '/admin/queues' });
    });
  });
}

/** Refuses a state-changing request that a browser says came from another site or origin. */
async function sameOriginOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  // The host alone: behind a TLS proxy the page's https origin reaches this server as plain http.
  const sameOrigin = origin === undefined || URL.parse(origin)?.host === request.host;
  if ((site !== undefined && site !== 'same-origin') || !sameOrigin) {
    await reply.code(403).send({ code: 'forbidden', message: 'Cross-site requests are refused.' });
  }
}

/** Runs a dashboard action with the dashboard's admin as the caller; the answer is the text a chat would get. */
async function runAction(admin: Admin, name: string, body: unknown): Promise<string> {
  const chosen = Object.hasOwn(actions, name) ? actions[name as keyof typeof actions] : undefined;
  if (!chosen) throw new UserError('bad_command', `There is no admin action "${name}".`);
  const input = chosen.input.safeParse(body);
  if (!input.success) throw new UserError('bad_command', `The ${name} action needs ${Object.keys(chosen.input.shape).join(' and ')}.`);
  return (chosen.run as (admin: Admin, input: unknown) => Promise<string>)(admin, input.data);
}

async function dashboardSnapshot(deps: AdminDeps): Promise<{ runs: DashboardRun[]; models: StyleVersions[] }> {
  const [runs, models] = await Promise.all([deps.core.admin.runs(webAdminId), deps.core.admin.modelVersions(webAdminId)]);
  return { runs: await Promise.all(runs.map(async (run) => ({ ...run, images: await reportImages(deps.runsDir, run) }))), models };
}

async function reportImages(runsDir: string, run: TrainRun): Promise<string[]> {
  const runId = run.result?.runId;
  if (!runId || !runIdSchema.safeParse(runId).success) return [];
  const present = await Promise.all(
    runImages.map((image) =>
      access(path.join(runsDir, runId, image)).then(
        () => image,
        () => undefined,
      ),
    ),
  );
  return present.filter((image): image is (typeof runImages)[number] => image !== undefined).map((image) => `/admin/runs/${encodeURIComponent(runId)}/${image}`);
}
