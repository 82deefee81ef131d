/**
 * Image formats recognisable from their first bytes (magic numbers). Names that sharp also
 * uses in its metadata (jpeg, png, gif, webp, tiff, heif, svg) are spelt the same way.
 */
export type SniffedFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heif' | 'bmp' | 'pdf' | 'psd' | 'jp2' | 'jxl' | 'ico' | 'svg';

const ascii = (text: string) => Buffer.from(text, 'latin1');

function hasAt(bytes: Buffer, offset: number, expected: Buffer): boolean {
  return bytes.length >= offset + expected.length && bytes.subarray(offset, offset + expected.length).equals(expected);
}

const startsWithAny =
  (...prefixes: Buffer[]) =>
  (bytes: Buffer) =>
    prefixes.some((prefix) => hasAt(bytes, 0, prefix));

/** Brands of ISO-BMFF files that hold HEIF still images (AVIF and HEIC are both HEIF). */
const heifBrands = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

function isHeif(bytes: Buffer): boolean {
  if (!hasAt(bytes, 4, ascii('ftyp'))) return false;
  // ftyp box: size, "ftyp", major brand, minor version, compatible brands…
  const boxEnd = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
  const brandOffsets = [8];
  for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brandOffsets.push(offset);
  return brandOffsets.some((offset) => heifBrands.has(bytes.toString('latin1', offset, offset + 4)));
}

/** Sizes of the BMP info headers (core, v1-v5); "BM" alone is too weak a signature. */
const bmpInfoHeaderSizes = new Set([12, 40, 52, 56, 64, 108, 124]);

function isBmp(bytes: Buffer): boolean {
  return hasAt(bytes, 0, ascii('BM')) && bytes.length >= 18 && bmpInfoHeaderSizes.has(bytes.readUInt32LE(14));
}

/** A Windows icon: reserved 0, type 1 (icon) or 2 (cursor), then at least one image. */
function isIco(bytes: Buffer): boolean {
  return bytes.length >= 6 && bytes.readUInt16LE(0) === 0 && [1, 2].includes(bytes.readUInt16LE(2)) && bytes.readUInt16LE(4) > 0;
}

/**
 * An XML document whose root element is <svg>, after an optional prolog, comments and doctype
 * (with or without an internal subset of entity declarations, as Illustrator exports).
 */
const svgStart = /^(?:\s*(?:<\?[^>]*\?>|<!--[\s\S]*?-->|<!doctype[^>[]*(?:\[[\s\S]*?\]\s*)?>))*\s*<svg[\s>]/i;

/** How far into a file the <svg> root is looked for: past long comments and entity declarations. */
const svgHeadBytes = 64 * 1024;

function isSvg(bytes: Buffer): boolean {
  const head = bytes
    .subarray(0, svgHeadBytes)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  return svgStart.test(head);
}

const jp2Box = Buffer.concat([Buffer.from([0, 0, 0, 0x0c]), ascii('jP  '), Buffer.from([0x0d, 0x0a, 0x87, 0x0a])]);
const jxlBox = Buffer.concat([Buffer.from([0, 0, 0, 0x0c]), ascii('JXL '), Buffer.from([0x0d, 0x0a, 0x87, 0x0a])]);

const signatures: readonly (readonly [SniffedFormat, (bytes: Buffer) => boolean])[] = [
  ['jpeg', startsWithAny(Buffer.from([0xff, 0xd8, 0xff]))],
  ['png', startsWithAny(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['gif', startsWithAny(ascii('GIF87a'), ascii('GIF89a'))],
  ['webp', (bytes) => hasAt(bytes, 0, ascii('RIFF')) && hasAt(bytes, 8, ascii('WEBP'))],
  // Classic and BigTIFF, little- and big-endian.
  ['tiff', startsWithAny(ascii('II*\0'), ascii('MM\0*'), ascii('II+\0'), ascii('MM\0+'))],
  ['heif', isHeif],
  ['bmp', isBmp],
  ['pdf', startsWithAny(ascii('%PDF-'))],
  ['psd', startsWithAny(ascii('8BPS'))],
  ['jp2', startsWithAny(jp2Box, Buffer.from([0xff, 0x4f, 0xff, 0x51]))],
  ['jxl', startsWithAny(jxlBox, Buffer.from([0xff, 0x0a]))],
  ['ico', isIco],
  ['svg', isSvg],
];

/** The format the bytes really are, whatever the file name or MIME type claimed; undefined when unknown. */
export function sniffFormat(bytes: Buffer): SniffedFormat | undefined {
  return signatures.find(([, matches]) => matches(bytes))?.[0];
}
