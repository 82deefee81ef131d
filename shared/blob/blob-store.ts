/**
 * Image bytes travel between bots and workers as blobs, never inside job JSON.
 * Implementations: Redis keys with a TTL (default); a filesystem or S3 store fits the same
 * interface.
 */
export interface BlobStore {
  /** Stores bytes and returns their key. */
  put(bytes: Buffer, ttlSeconds?: number): Promise<string>;
  /** The bytes, or undefined when the blob expired or was deleted. */
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}
