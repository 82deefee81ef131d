/**
 * Why a dataset cannot be used. Every error names the file or directory at fault, so that
 * the person who assembled the dataset can fix it (or an admin command can report it).
 */
export const datasetErrorCodes = [
  /** The directory, a split or a domain holds no images. */
  'empty',
  /** A paired image has no partner with the same name on the other side. */
  'mismatched',
  /** An image could not be decoded (truncated, not an image, unsupported). */
  'corrupt',
  /** A file's content differs from the checksum in manifest.json. */
  'checksum_mismatch',
  /** manifest.json is missing, or lists a file that is gone. */
  'missing',
  /** manifest.json is not valid JSON or does not follow the manifest schema. */
  'bad_manifest',
  /** An image is on disk but not in manifest.json (added without updating it). */
  'unlisted',
  /** The directory fits none of the formats (aligned, paired, unaligned). */
  'bad_layout',
  /** Curation: the same image is already in the dataset. */
  'duplicate',
  /** Curation: the image breaks a limit (too small, too many pixels). */
  'invalid_image',
] as const;
export type DatasetErrorCode = (typeof datasetErrorCodes)[number];

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(
    readonly code: DatasetErrorCode,
    /** The file or directory at fault. */
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}
