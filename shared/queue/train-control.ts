import type { Redis } from 'ioredis';

/**
 * Cancelling a training job: an admin (bot or CLI) sets a flag that the trainer reads
 * between steps; the run then checkpoints and stops. A waiting job is simply removed.
 */
export class TrainControl {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async requestCancel(jobId: string): Promise<void> {
    await this.redis.set(this.key(jobId), '1', 'EX', 7 * 24 * 3600);
  }

  async cancelRequested(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(jobId))) === 1;
  }

  async clear(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId));
  }

  private key(jobId: string): string {
    return `${this.prefix}:train:cancel:${jobId}`;
  }
}
