import { readFile } from 'node:fs/promises';
import type { Logger } from '../../shared/logger.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import type { TranslateClient } from '../../shared/queue/translate-client.js';

/** The photo every style's sample is made from (Grace Hopper's US Navy portrait, public domain). */
const samplePhotoUrl = new URL('./public/sample.jpg', import.meta.url);
const sampleSide = 192;

/**
 * One sample image per installed style: the sample photo translated by the style's current
 * model, through the translate queue like any request, made when first asked for and kept
 * until the style's current version changes.
 */
export class StyleSamples {
  private readonly made = new Map<string, Promise<Buffer>>();
  private photo: Promise<Buffer> | undefined;

  constructor(
    private readonly store: ModelStore,
    private readonly client: TranslateClient,
    private readonly logger: Logger,
  ) {}

  /** The sample of the style's current model; undefined when the style has none. */
  async get(style: string): Promise<Buffer | undefined> {
    const version = await this.store.current(style);
    if (version === undefined) return undefined;
    const key = `${style}@${version}`;
    let sample = this.made.get(key);
    if (!sample) {
      sample = this.make(style);
      this.made.set(key, sample);
      sample.catch((err: unknown) => {
        this.logger.warn({ err, style, version }, 'making a style sample failed');
        this.made.delete(key);
      });
    }
    return sample;
  }

  private async make(style: string): Promise<Buffer> {
    this.photo ??= readFile(samplePhotoUrl);
    const jobId = await this.client.submit(await this.photo, { platform: 'web', style, outputSize: sampleSide, outputFormat: 'jpeg' });
    return this.client.takeOutput(await this.client.wait(jobId));
  }
}
