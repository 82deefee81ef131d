import type { Metadata } from 'sharp';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { rgbChannels } from './raw-rgb.js';
import { sharp } from './sharp.js';
import { sniffFormat, type SniffedFormat } from './sniff.js';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

/** Raw 8-bit RGB (3 channels, no alpha), sRGB, EXIF auto-oriented, metadata stripped, alpha flattened onto white, first frame of animations. */
export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  /** jpeg, png, webp, gif, avif, heic or tiff (APNG counts as png). */
  sourceFormat: string;
}

const limitsSchema = z.object({
  maxBytes: z.number().int().positive(),
  maxPixels: z.number().int().positive(),
});

/** Decoders accepted, by the name sharp's metadata gives them. */
const acceptedFormats: ReadonlySet<string> = new Set<SniffedFormat>(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff']);

/**
 * Images we refuse by design, with the name the user knows them by. SVG could be rendered by
 * sharp, but it is a drawing, not a photo, and rendering untrusted XML at an arbitrary size is
 * a cost we need not take (it never reaches libvips); the others have no decoder in sharp's prebuilt libvips.
 */
const refusedFormatNames: Partial<Record<SniffedFormat, string>> = {
  svg: 'SVG',
  bmp: 'BMP',
  ico: 'ICO',
  pdf: 'PDF',
  psd: 'Photoshop (PSD)',
  jp2: 'JPEG 2000',
  jxl: 'JPEG XL',
};

/**
 * 'error' refuses truncated and undecodable data, yet tolerates libjpeg *warnings*, which
 * photos from some phone cameras trigger (e.g. "Invalid SOS parameters", lovell/sharp#1578);
 * sharp's default 'warning' would refuse those photos.
 */
const failOn = 'error';

const white = { r: 255, g: 255, b: 255 };

/**
 * Turns uploaded bytes into the pixels the models work on, refusing with a UserError what a
 * person should be told about: empty, too big (bytes, or pixels as the header declares them,
 * checked before any pixel is decoded), not an image, a format we do not take, or damaged.
 */
export async function decodeImage(bytes: Buffer, limits: ImageLimits): Promise<DecodedImage> {
  const { maxBytes, maxPixels } = limitsSchema.parse(limits);
  if (bytes.length === 0) throw UserError.emptyInput();
  if (bytes.length > maxBytes) throw UserError.fileTooLarge(bytes.length, maxBytes);

  const sniffed = sniffFormat(bytes);
  const refusedName = sniffed && refusedFormatNames[sniffed];
  if (refusedName) throw UserError.unsupportedFormat(refusedName);
  // Only bytes that start like a format we take reach libvips: its loaders pick the format from the content, and
  // some (SVG via librsvg, with its XML and references) we never want to parse.
  if (!sniffed || !acceptedFormats.has(sniffed)) throw UserError.notAnImage();

  const header = await readHeader(bytes);
  // A file that starts like one format but that libvips reads as another is not what it claims.
  if (header.format !== sniffed) throw UserError.corruptImage();
  const { width, height } = header.autoOrient;
  if (width * height > maxPixels) throw UserError.imageTooLarge(width, height, maxPixels);

  const sourceFormat = header.format === 'heif' ? heifFlavour(header) : header.format;
  const { data, info } = await decodePixels(bytes, maxPixels).catch((err: unknown) => {
    // sharp's prebuilt libheif has no HEVC decoder (patents), so a HEIC whose header reads but whose pixels do not is most likely intact, just unsupported.
    throw sourceFormat === 'heic' ? UserError.unsupportedFormat('HEIC', err) : UserError.corruptImage(err);
  });
  if (info.channels !== rgbChannels) throw new Error(`decoded ${info.channels} channels, expected ${rgbChannels}`);
  return { data, width: info.width, height: info.height, sourceFormat };
}

function decodePixels(bytes: Buffer, maxPixels: number) {
  // Without `pages`/`animated`, sharp reads only the first frame (the primary image of a HEIF).
  // limitInputPixels repeats the header check inside libvips, against decompression bombs.
  return sharp(bytes, { failOn, limitInputPixels: maxPixels, autoOrient: true })
    .flatten({ background: white })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

/** Reads dimensions and format from the header only; no pixel data is decoded. */
async function readHeader(bytes: Buffer): Promise<Metadata> {
  try {
    // No pixel limit here: decodeImage compares the declared size with its own limit to say how large the image is.
    return await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    // The bytes start like an image we take (decodeImage checked), so one that cannot be read is damaged.
    throw UserError.corruptImage(err);
  }
}

function heifFlavour(header: Metadata): string {
  switch (header.compression) {
    case 'av1':
      return 'avif';
    case 'hevc':
      return 'heic';
    default:
      return 'heif';
  }
}
