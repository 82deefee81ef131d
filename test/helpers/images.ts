/**
 * Test images generated in code (no binary fixtures in the repository). Every function is
 * deterministic: the same arguments give the same bytes, so tests can compare against them.
 */
import zlib from 'node:zlib';
import { sharp } from '../../shared/image/sharp.js';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Formats makePhoto can write; all of them are formats decodeImage accepts. */
export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif';

const photoDisc: Rgb = { r: 240, g: 200, b: 40 };
const photoBlock: Rgb = { r: 20, g: 30, b: 90 };

/**
 * Raw RGB pixels (width*height*3) of a photo-like picture: a red gradient left to right, a
 * green gradient top to bottom, a diagonal blue wave, a yellow disc left of centre and a dark
 * blue block in the bottom-right quarter (smooth areas and hard edges, like a real photo).
 */
export function photoPixels(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  const discX = width * 0.35;
  const discY = height * 0.45;
  const discRadius = Math.min(width, height) / 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - discX) ** 2 + (y - discY) ** 2 <= discRadius ** 2;
      const inBlock = x >= width * 0.65 && x < width * 0.9 && y >= height * 0.6 && y < height * 0.85;
      const wave = 128 + 100 * Math.sin(((x + y) / Math.max(width, height)) * 2 * Math.PI);
      const colour = inDisc ? photoDisc : inBlock ? photoBlock : { r: (255 * x) / Math.max(1, width - 1), g: (255 * y) / Math.max(1, height - 1), b: wave };
      pixels.set([Math.round(colour.r), Math.round(colour.g), Math.round(colour.b)], (y * width + x) * 3);
    }
  }
  return pixels;
}

/** photoPixels(width, height) encoded as `format` (JPEG by default) with sharp's default settings (PNG is lossless, GIF is palette-reduced). */
export function makePhoto(width: number, height: number, format: PhotoFormat = 'jpeg'): Promise<Buffer> {
  return sharp(photoPixels(width, height), { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

/** A sharp pipeline for a solid width×height image of one colour. */
function solid(width: number, height: number, colour: Rgb) {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

export const exifMarkerColour: Rgb = { r: 255, g: 0, b: 0 };
export const exifBackgroundColour: Rgb = { r: 0, g: 160, b: 0 };

/**
 * A JPEG whose stored pixels are width×height, green (exifBackgroundColour) with a red
 * square (exifMarkerColour, side min(width, height)/4) in the stored top-left corner, and
 * the EXIF Orientation tag `orientation` (1-8). A viewer shows it turned: for 6 (rotate 90°
 * clockwise) a 40×20 file displays as 20×40 with the red square top-right.
 */
export function jpegWithExifRotation(width: number, height: number, orientation: number): Promise<Buffer> {
  const marker = Math.max(2, Math.floor(Math.min(width, height) / 4));
  return solid(width, height, exifBackgroundColour)
    .composite([{ input: { create: { width: marker, height: marker, channels: 3, background: exifMarkerColour } }, left: 0, top: 0 }])
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

/** The sRGB colour cmykJpeg() was made from; a correct decoder gives it back, give or take the CMYK round trip. */
export const cmykJpegColour: Rgb = { r: 200, g: 120, b: 60 };

/** A 16×16 JPEG in the CMYK colour space (4 channels, as print workflows save them), solid cmykJpegColour. */
export function cmykJpeg(): Promise<Buffer> {
  return solid(16, 16, cmykJpegColour).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
}

/**
 * A 16×16 JPEG with an embedded Display P3 ICC profile, holding pure sRGB red (255, 0, 0)
 * converted into P3. Decoded through its profile it is sRGB red again; a decoder that ignores
 * the profile sees roughly (234, 51, 35).
 */
export function displayP3Jpeg(): Promise<Buffer> {
  return solid(16, 16, { r: 255, g: 0, b: 0 }).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer();
}

/**
 * An 8×4 PNG with 16 bits per sample and an alpha channel: the left half is fully transparent
 * black, the right half is pure red at 50 % opacity (alpha 0x8000). Flattened onto white it is
 * white on the left and about (255, 128, 128) on the right.
 */
export function png16WithAlpha(): Promise<Buffer> {
  const width = 8;
  const height = 4;
  const samples = new Uint16Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = width / 2; x < width; x++) samples.set([0xffff, 0, 0, 0x8000], (y * width + x) * 4);
  }
  return sharp(samples, { raw: { width, height, channels: 4 } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
}

/** A width×height greyscale (1-channel) PNG: a left-to-right ramp from black to white. */
export function greyPng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = Math.round((255 * x) / Math.max(1, width - 1));
  }
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/** The frames of animatedGif(), animatedWebp() and apng(), in order: frame 1 is red, frame 2 blue. */
export const animationFrameColours: readonly [Rgb, Rgb] = [
  { r: 255, g: 0, b: 0 },
  { r: 0, g: 0, b: 255 },
];
const frameWidth = 16;
const frameHeight = 12;

/** The animation frames stacked vertically, as sharp takes animations in. */
function stackedFrames() {
  const frameBytes = frameWidth * frameHeight * 3;
  const pixels = Buffer.alloc(frameBytes * animationFrameColours.length);
  animationFrameColours.forEach(({ r, g, b }, frame) => {
    for (let i = 0; i < frameWidth * frameHeight; i++) pixels.set([r, g, b], frame * frameBytes + i * 3);
  });
  return sharp(pixels, {
    raw: { width: frameWidth, height: frameHeight * animationFrameColours.length, channels: 3, pageHeight: frameHeight },
  });
}

/** A 16×12 animated GIF with the two animationFrameColours frames (frame 1 red). */
export function animatedGif(): Promise<Buffer> {
  return stackedFrames().gif().toBuffer();
}

/** A 16×12 animated lossless WebP with the two animationFrameColours frames (frame 1 red). */
export function animatedWebp(): Promise<Buffer> {
  return stackedFrames().webp({ lossless: true }).toBuffer();
}

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

export const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  const chunks: { type: string; data: Buffer }[] = [];
  for (let offset = pngSignature.length; offset < png.length;) {
    const length = png.readUInt32BE(offset);
    chunks.push({ type: png.toString('latin1', offset + 4, offset + 8), data: png.subarray(offset + 8, offset + 8 + length) });
    offset += 12 + length;
  }
  return chunks;
}

/**
 * A 16×12 animated PNG (APNG) with the two animationFrameColours frames (frame 1 red, which
 * is also the default image that non-animating viewers show).
 */
export async function apng(): Promise<Buffer> {
  const frames = await Promise.all(animationFrameColours.map((colour) => solid(frameWidth, frameHeight, colour).png().toBuffer()));
  const animationControl = Buffer.alloc(8);
  animationControl.writeUInt32BE(frames.length, 0);
  let sequence = 0;
  const frameControl = () => {
    const data = Buffer.alloc(26);
    data.writeUInt32BE(sequence++, 0);
    data.writeUInt32BE(frameWidth, 4);
    data.writeUInt32BE(frameHeight, 8);
    data.writeUInt16BE(1, 20); // delay 1/10 s
    data.writeUInt16BE(10, 22);
    return pngChunk('fcTL', data);
  };
  const body = frames.flatMap((frame, index) => {
    const imageData = pngChunks(frame).filter((chunk) => chunk.type === 'IDAT');
    const dataChunks = imageData.map((chunk) => {
      if (index === 0) return pngChunk('IDAT', chunk.data);
      const numbered = Buffer.alloc(4);
      numbered.writeUInt32BE(sequence++);
      return pngChunk('fdAT', Buffer.concat([numbered, chunk.data]));
    });
    return [frameControl(), ...dataChunks];
  });
  const header = pngChunks(frames[0]!).find((chunk) => chunk.type === 'IHDR')!;
  return Buffer.concat([pngSignature, pngChunk('IHDR', header.data), pngChunk('acTL', animationControl), ...body, pngChunk('IEND', Buffer.alloc(0))]);
}

/** The first 60 % of makePhoto(64, 48) as JPEG: a valid header, then the data stops (an interrupted upload). */
export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await makePhoto(64, 48);
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

/**
 * A PNG of a few dozen bytes whose header claims width×height (8-bit RGB): signature, IHDR,
 * an IDAT with a handful of zero bytes, IEND. Its header reads fine; its pixels are garbage.
 * Stands in for a decompression bomb, which must be refused from the header alone.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([pngSignature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(16))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A short UTF-8 plain-text file (not an image). */
export function textFile(): Buffer {
  return Buffer.from('Hello! This is a plain text file, not a picture.\nSecond line.\n', 'utf8');
}

/** A small valid SVG drawing (a red square), which sharp could render but decodeImage refuses. */
export function svgImage(): Buffer {
  return Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="red"/></svg>\n', 'utf8');
}

/** A valid 4×4 24-bit Windows bitmap (BMP), solid red: an image format decodeImage refuses. */
export function bmpImage(): Buffer {
  const width = 4;
  const height = 4;
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const pixelOffset = 14 + 40;
  const bmp = Buffer.alloc(pixelOffset + rowBytes * height);
  bmp.write('BM', 0, 'latin1');
  bmp.writeUInt32LE(bmp.length, 2);
  bmp.writeUInt32LE(pixelOffset, 10);
  bmp.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(height, 22);
  bmp.writeUInt16LE(1, 26); // planes
  bmp.writeUInt16LE(24, 28); // bits per pixel
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) bmp.set([0, 0, 255], pixelOffset + y * rowBytes + x * 3); // BGR
  }
  return bmp;
}

/** The start of a PDF document: a document format decodeImage refuses as such. */
export function pdfDocument(): Buffer {
  return Buffer.from('%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n', 'latin1');
}
