import path from 'node:path';
import { z } from 'zod';
import type { BlobStore } from '../../shared/blob/blob-store.js';
import { UserError } from '../../shared/errors.js';
import type { ImageLimits } from '../../shared/image/codec.js';
import { addPair, addSample } from '../../trainer/data/curate.js';
import { DatasetError } from '../../trainer/data/dataset-error.js';
import type { AdminActions } from './admin-actions.js';
import { receiveImage, type IncomingImage } from './image-intake.js';
import { curatedText } from './messages.js';
import type { RequestRecords } from './request-records.js';

const datasetName = z.string().regex(/^[\w-][\w.-]{0,99}$/, 'a dataset name: letters, digits, ".", "_", "-"');

export type CurationItem =
  /** One image into domain A (photos) or B (styled images) of an unaligned dataset. */
  | { kind: 'sample'; domain: 'A' | 'B'; image: IncomingImage }
  /** A request's photo (A) and its styled result (B), as a pair of a paired dataset. */
  | { kind: 'pair'; requestId: string; result: IncomingImage };

/**
 * Admins add what users sent (or what the bot made of it) to training datasets under
 * DATA_DIR, through the trainer's curation functions, which validate the images and keep
 * each dataset's manifest consistent.
 */
export class Curation {
  constructor(
    private readonly admin: Pick<AdminActions<never>, 'assertAdmin'>,
    private readonly records: RequestRecords,
    private readonly blobs: BlobStore,
    private readonly dataDir: string,
    private readonly imageLimits: ImageLimits,
  ) {}

  async add(userId: string, dataset: string, item: CurationItem): Promise<string> {
    this.admin.assertAdmin(userId);
    const name = datasetName.safeParse(dataset);
    if (!name.success) throw new UserError('bad_command', `"${dataset}" is not ${name.error.issues[0]?.message ?? 'a dataset name'}.`);
    const dir = path.join(this.dataDir, name.data);
    try {
      const { files } =
        item.kind === 'pair'
          ? await addPair(dir, { a: new Uint8Array(await this.inputOf(item.requestId)), b: new Uint8Array(await receiveImage(item.result, this.imageLimits)) })
          : await addSample(dir, { domain: item.domain, image: new Uint8Array(await receiveImage(item.image, this.imageLimits)) });
      return curatedText(name.data, files);
    } catch (err) {
      if (err instanceof DatasetError) throw new UserError('bad_command', err.message.replaceAll(dir, name.data), { cause: err });
      throw err;
    }
  }

  /** The photo a request was made with, while it is kept. */
  private async inputOf(requestId: string): Promise<Buffer> {
    const record = await this.records.get(requestId);
    const bytes = record && (await this.blobs.get(record.inputBlob));
    if (!bytes) throw UserError.inputExpired();
    return bytes;
  }
}
