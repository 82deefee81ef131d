import { z } from 'zod';
import type { Answer, PlatformAdapter, ProgressUpdate } from '../core/platform-adapter.js';
import type { WebEvents } from './web-events.js';
import type { WebRequests } from './web-requests.js';

export const webTargetSchema = z.object({ visitorId: z.string().min(1).max(64), requestId: z.string().min(1).max(128) });
export type WebTarget = z.infer<typeof webTargetSchema>;

/** A training run an admin started from the dashboard: its notices go to every open dashboard. */
export const webNoticeSchema = z.object({ noticeId: z.string().min(1) });
export type WebNotice = z.infer<typeof webNoticeSchema>;

/** The dashboards' topic of training notices. */
export const adminNoticesTopic = 'admin-notices';

export interface AdminNotice {
  noticeId: string;
  text: string;
}

/**
 * The bot core's answers as the playground shows them: each one replaces the request's
 * view in WebRequests (the result image beside it), which the page follows live. Training
 * notices go to the dashboards.
 */
export class WebAdapter implements PlatformAdapter<WebTarget, WebNotice> {
  readonly platform = 'web' as const;
  readonly targetSchema = webTargetSchema;
  readonly noticeTargetSchema = webNoticeSchema;
  /** A page takes updates as fast as they come; this only spares it a flood. */
  readonly progressIntervalMs = 200;

  constructor(
    private readonly requests: WebRequests,
    private readonly events: WebEvents,
  ) {}

  async deliver(target: WebTarget, answer: Answer): Promise<void> {
    const base = { requestId: target.requestId, visitorId: target.visitorId, text: answer.statusText };
    if (answer.kind === 'failure') {
      await this.requests.put({ ...base, state: 'failed', code: answer.error.code });
      return;
    }
    await this.requests.put({ ...base, state: 'done', caption: answer.caption, format: answer.result.format }, answer.image);
  }

  async showProgress(target: WebTarget, update: ProgressUpdate): Promise<void> {
    const view = await this.requests.get(target.requestId);
    // A late progress report must not take an answered request back to "running".
    if (view?.state === 'done' || view?.state === 'failed') return;
    // No progress yet: the request still waits, and its place in the queue moved.
    if (!update.progress) await this.requests.put({ ...target, state: 'queued', text: update.text });
    else await this.requests.put({ ...target, state: 'running', text: update.text, percent: update.progress.percent });
  }

  async editNotice(target: WebNotice, text: string): Promise<void> {
    await this.events.publish(adminNoticesTopic, { noticeId: target.noticeId, text } satisfies AdminNotice);
  }

  /** The dashboard shows every run's images from the runs folder; the notice says the image is there. */
  async postNoticeImage(target: WebNotice, caption: string): Promise<void> {
    await this.editNotice(target, `${caption}: its summary is in the run list.`);
  }
}
