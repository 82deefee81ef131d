import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError, type UserErrorCode } from '../../shared/errors.js';
import { decodeImage, encodeImage, letterbox, outputDimensions, padToMultiple, unletterbox, type DecodedImage } from '../../shared/image/codec.js';
import {
  animatedGif,
  animatedWebp,
  animationFrameColours,
  apng,
  bmpImage,
  cmykJpeg,
  cmykJpegColour,
  displayP3Jpeg,
  exifBackgroundColour,
  exifMarkerColour,
  greyPng,
  jpegWithExifRotation,
  makePhoto,
  pdfDocument,
  photoPixels,
  png16WithAlpha,
  pngClaiming,
  svgImage,
  textFile,
  truncatedJpeg,
  type PhotoFormat,
  type Rgb,
} from '../helpers/images.js';

const limits = { maxBytes: 5_000_000, maxPixels: 40_000_000 };

function pixelAt(image: { data: Buffer; width: number }, x: number, y: number): Rgb {
  const i = (y * image.width + x) * 3;
  return { r: image.data[i]!, g: image.data[i + 1]!, b: image.data[i + 2]! };
}

function assertColourNear(actual: Rgb, expected: Rgb, tolerance: number, what: string): void {
  const off = Math.max(Math.abs(actual.r - expected.r), Math.abs(actual.g - expected.g), Math.abs(actual.b - expected.b));
  assert.ok(off <= tolerance, `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} ±${tolerance}`);
}

function meanAbsoluteError(a: Buffer, b: Buffer): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

async function rejectsWithCode(decoding: Promise<unknown>, code: UserErrorCode): Promise<void> {
  await assert.rejects(decoding, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  });
}

function photo(width: number, height: number): DecodedImage {
  return { data: photoPixels(width, height), width, height, sourceFormat: 'png' };
}

describe('decodeImage refuses bad input, each with its own code', () => {
  it('empty file → empty_input', () => rejectsWithCode(decodeImage(Buffer.alloc(0), limits), 'empty_input'));

  it('a text file → not_an_image', () => rejectsWithCode(decodeImage(textFile(), limits), 'not_an_image'));

  for (const [name, bytes] of [
    ['SVG', svgImage()],
    ['BMP', bmpImage()],
    ['PDF', pdfDocument()],
  ] as const) {
    it(`${name} → unsupported_format, naming the format`, async () => {
      await rejectsWithCode(decodeImage(bytes, limits), 'unsupported_format');
      await assert.rejects(decodeImage(bytes, limits), new RegExp(`in ${name} format`));
    });
  }

  it('an SVG with DOCTYPE entities (as Illustrator exports) → unsupported_format too', () => {
    const svg = Buffer.from('<!DOCTYPE svg [<!ENTITY fill "red">]>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="&fill;"/></svg>');
    return rejectsWithCode(decodeImage(svg, limits), 'unsupported_format');
  });

  it('a truncated JPEG → corrupt_image', async () => rejectsWithCode(decodeImage(await truncatedJpeg(), limits), 'corrupt_image'));

  for (const format of ['png', 'webp', 'gif', 'tiff', 'avif'] as const) {
    it(`a ${format} cut in half → corrupt_image`, async () => {
      const bytes = await makePhoto(48, 32, format);
      await rejectsWithCode(decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)), limits), 'corrupt_image');
    });
  }

  it('more bytes than maxBytes → file_too_large; exactly maxBytes is fine', async () => {
    const bytes = await makePhoto(32, 24);
    await rejectsWithCode(decodeImage(bytes, { ...limits, maxBytes: bytes.length - 1 }), 'file_too_large');
    assert.equal((await decodeImage(bytes, { ...limits, maxBytes: bytes.length })).width, 32);
  });

  it('more pixels than maxPixels → image_too_large; exactly maxPixels is fine', async () => {
    const bytes = await makePhoto(32, 24);
    await rejectsWithCode(decodeImage(bytes, { ...limits, maxPixels: 32 * 24 - 1 }), 'image_too_large');
    assert.equal((await decodeImage(bytes, { ...limits, maxPixels: 32 * 24 })).height, 24);
  });

  it('a PNG header claiming 30000×30000 → image_too_large from the header (its pixel data would be corrupt_image)', async () => {
    const bomb = pngClaiming(30000, 30000);
    await rejectsWithCode(decodeImage(bomb, limits), 'image_too_large');
    await assert.rejects(decodeImage(bomb, limits), /30000×30000/);
    await rejectsWithCode(decodeImage(pngClaiming(300, 300), limits), 'corrupt_image');
  });
});

describe('decodeImage reads what people send', () => {
  it('a lossless PNG decodes to exactly its pixels', async () => {
    const decoded = await decodeImage(await makePhoto(48, 32, 'png'), limits);
    assert.deepEqual({ width: decoded.width, height: decoded.height, sourceFormat: decoded.sourceFormat }, { width: 48, height: 32, sourceFormat: 'png' });
    assert.ok(decoded.data.equals(photoPixels(48, 32)));
  });

  for (const format of ['jpeg', 'webp', 'gif', 'tiff', 'avif'] as const satisfies readonly PhotoFormat[]) {
    it(`${format} decodes to RGB close to the original picture`, async () => {
      const decoded = await decodeImage(await makePhoto(48, 32, format), limits);
      assert.equal(decoded.sourceFormat, format);
      assert.equal(decoded.data.length, 48 * 32 * 3);
      const error = meanAbsoluteError(decoded.data, photoPixels(48, 32));
      assert.ok(error < 10, `mean absolute error ${error.toFixed(2)}`);
    });
  }

  // Where the top-left of the stored pixels ends up once the EXIF orientation is applied.
  const markerCorner: Record<number, 'top-left' | 'top-right' | 'bottom-right' | 'bottom-left'> = {
    1: 'top-left',
    2: 'top-right',
    3: 'bottom-right',
    4: 'bottom-left',
    5: 'top-left',
    6: 'top-right',
    7: 'bottom-right',
    8: 'bottom-left',
  };
  for (const [orientation, corner] of Object.entries(markerCorner).map(([o, c]) => [Number(o), c] as const)) {
    it(`EXIF orientation ${orientation}: a 40×20 JPEG shows ${orientation >= 5 ? '20×40' : '40×20'} with the marker ${corner}`, async () => {
      const decoded = await decodeImage(await jpegWithExifRotation(40, 20, orientation), limits);
      const turned = orientation >= 5;
      assert.deepEqual([decoded.width, decoded.height], turned ? [20, 40] : [40, 20]);
      const right = decoded.width - 2;
      const bottom = decoded.height - 2;
      const corners = { 'top-left': [1, 1], 'top-right': [right, 1], 'bottom-right': [right, bottom], 'bottom-left': [1, bottom] } as const;
      for (const [name, [x, y]] of Object.entries(corners)) {
        const expected = name === corner ? exifMarkerColour : exifBackgroundColour;
        assertColourNear(pixelAt(decoded, x, y), expected, 40, `${name} corner`);
      }
    });
  }

  it('a CMYK JPEG comes out as 3-channel sRGB close to the colour it was made from', async () => {
    const decoded = await decodeImage(await cmykJpeg(), limits);
    assert.equal(decoded.data.length, decoded.width * decoded.height * 3);
    // The sRGB→CMYK→sRGB round trip through libvips' default CMYK profile shifts colours a little;
    // dropping K or inverting Adobe CMYK would be off by 50 and more.
    assertColourNear(pixelAt(decoded, 8, 8), cmykJpegColour, 25, 'CMYK JPEG');
  });

  it('an embedded ICC profile is honoured: a Display P3 JPEG of sRGB red decodes to sRGB red', async () => {
    const decoded = await decodeImage(await displayP3Jpeg(), limits);
    assertColourNear(pixelAt(decoded, 8, 8), { r: 255, g: 0, b: 0 }, 6, 'P3 red');
  });

  it('a 16-bit PNG with alpha becomes 8-bit RGB flattened onto white', async () => {
    const decoded = await decodeImage(await png16WithAlpha(), limits);
    assert.equal(decoded.data.length, 8 * 4 * 3);
    assertColourNear(pixelAt(decoded, 1, 1), { r: 255, g: 255, b: 255 }, 1, 'transparent half');
    assertColourNear(pixelAt(decoded, 6, 2), { r: 255, g: 128, b: 128 }, 2, 'half-transparent red half');
  });

  it('a greyscale PNG becomes 3 equal channels', async () => {
    const decoded = await decodeImage(await greyPng(9, 3), limits);
    assert.equal(decoded.data.length, 9 * 3 * 3);
    assert.deepEqual(pixelAt(decoded, 0, 1), { r: 0, g: 0, b: 0 });
    assert.deepEqual(pixelAt(decoded, 8, 1), { r: 255, g: 255, b: 255 });
    const middle = pixelAt(decoded, 4, 1);
    assert.ok(middle.r === middle.g && middle.g === middle.b && middle.r > 100 && middle.r < 155, JSON.stringify(middle));
  });

  for (const [name, make, sourceFormat] of [
    ['animated GIF', animatedGif, 'gif'],
    ['animated WebP', animatedWebp, 'webp'],
    ['APNG', apng, 'png'],
  ] as const) {
    it(`an ${name} decodes to its first frame only`, async () => {
      const decoded = await decodeImage(await make(), limits);
      assert.deepEqual([decoded.width, decoded.height, decoded.sourceFormat], [16, 12, sourceFormat]);
      assert.equal(decoded.data.length, 16 * 12 * 3);
      assertColourNear(pixelAt(decoded, 8, 6), animationFrameColours[0], 2, 'middle pixel');
      assertColourNear(pixelAt(decoded, 15, 11), animationFrameColours[0], 2, 'last pixel');
    });
  }
});

describe('letterbox / unletterbox', () => {
  it('fits a landscape image centred, keeping its aspect ratio', async () => {
    const { pixels, box } = await letterbox(photo(48, 32), 64);
    assert.equal(pixels.length, 64 * 64 * 3);
    assert.deepEqual([box.inputWidth, box.left, box.width, box.height], [64, 0, 64, 43]);
    assert.ok(Math.abs(box.top - (64 - box.top - box.height)) <= 1, `top ${box.top} is not centred`);
  });

  it('fits a portrait image centred, keeping its aspect ratio', async () => {
    const { box } = await letterbox(photo(20, 50), 64);
    assert.deepEqual([box.top, box.width, box.height], [0, 26, 64]);
    assert.ok(Math.abs(box.left - (64 - box.left - box.width)) <= 1, `left ${box.left} is not centred`);
  });

  it('pads by mirroring the content, so there is no hard edge', async () => {
    const { pixels, box } = await letterbox(photo(48, 32), 48);
    const image = { data: pixels, width: box.inputWidth };
    const row = (y: number) => Array.from({ length: box.inputWidth }, (_, x) => pixelAt(image, x, y));
    const lastContentRow = box.top + box.height - 1;
    for (let k = 0; k < box.top; k++) assert.deepEqual(row(box.top - 1 - k), row(box.top + k), `padding row ${box.top - 1 - k}`);
    for (let k = 0; lastContentRow + 1 + k < box.inputWidth; k++) assert.deepEqual(row(lastContentRow + 1 + k), row(lastContentRow - k), `padding row ${lastContentRow + 1 + k}`);
  });

  it('round-trips exactly when no resizing is needed', async () => {
    const image = photo(48, 32);
    const { pixels, box } = await letterbox(image, 48);
    assert.ok((await unletterbox(pixels, box, 48, 32)).equals(image.data));
  });

  it('round-trips a resized non-square image within resampling error', async () => {
    for (const [width, height] of [
      [96, 64],
      [40, 60],
    ] as const) {
      const image = photo(width, height);
      const { pixels, box } = await letterbox(image, 128);
      const error = meanAbsoluteError(await unletterbox(pixels, box, width, height), image.data);
      assert.ok(error < 5, `${width}×${height}: mean absolute error ${error.toFixed(2)}`);
    }
  });

  it('unletterbox ignores whatever the model put in the padding', async () => {
    const { pixels, box } = await letterbox(photo(96, 64), 128);
    const scribbled = Buffer.from(pixels);
    for (let y = 0; y < box.inputWidth; y++) {
      for (let x = 0; x < box.inputWidth; x++) {
        const inside = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
        if (!inside) scribbled.set([255, 0, 255], (y * box.inputWidth + x) * 3);
      }
    }
    assert.ok((await unletterbox(scribbled, box, 96, 64)).equals(await unletterbox(pixels, box, 96, 64)));
  });

  it('refuses buffers of the wrong size and boxes outside the square', async () => {
    const { pixels, box } = await letterbox(photo(48, 32), 64);
    await assert.rejects(unletterbox(pixels.subarray(3), box, 48, 32), RangeError);
    await assert.rejects(unletterbox(pixels, { ...box, top: 30 }, 48, 32));
    await assert.rejects(letterbox({ ...photo(48, 32), width: 47 }, 64), RangeError);
  });
});

describe('padToMultiple (native resolution)', () => {
  it('keeps a 300×170 image at its size in the top-left corner, pads right and bottom by mirroring to multiples of 16, and crops back exactly', async () => {
    const image = photo(300, 170);
    const { pixels, box } = await padToMultiple(image, 1024, 16);
    assert.deepEqual(box, { inputWidth: 304, inputHeight: 176, left: 0, top: 0, width: 300, height: 170 });
    assert.equal(pixels.length, 304 * 176 * 3);
    const padded = { data: pixels, width: 304 };
    for (const [x, y] of [
      [0, 0],
      [299, 169],
      [150, 85],
    ] as const)
      assert.deepEqual(pixelAt(padded, x, y), pixelAt(image, x, y), `content at ${x},${y}`);
    // Mirrored: column 300 repeats column 299, 301 repeats 298; row 170 repeats 169.
    for (let y = 0; y < 170; y += 13) {
      assert.deepEqual(pixelAt(padded, 300, y), pixelAt(image, 299, y));
      assert.deepEqual(pixelAt(padded, 301, y), pixelAt(image, 298, y));
    }
    for (let x = 0; x < 300; x += 17) assert.deepEqual(pixelAt(padded, x, 170), pixelAt(image, x, 169));
    assert.ok((await unletterbox(pixels, box, 300, 170)).equals(image.data));
  });

  it('scales the longest side down to the cap, keeping the aspect ratio, and never up', async () => {
    const { box } = await padToMultiple(photo(2000, 1000), 768, 16);
    assert.deepEqual(box, { inputWidth: 768, inputHeight: 384, left: 0, top: 0, width: 768, height: 384 });
    const small = await padToMultiple(photo(5, 3), 768, 8);
    assert.deepEqual(small.box, { inputWidth: 8, inputHeight: 8, left: 0, top: 0, width: 5, height: 3 });
  });
});

describe('outputDimensions', () => {
  it('keeps the input size when it is within the maximum', () => {
    assert.deepEqual(outputDimensions(300, 200, undefined, 1024), { width: 300, height: 200 });
  });

  it('shrinks the longest side to the maximum, keeping aspect ratio', () => {
    assert.deepEqual(outputDimensions(4000, 3000, undefined, 1024), { width: 1024, height: 768 });
    assert.deepEqual(outputDimensions(3000, 4000, undefined, 1024), { width: 768, height: 1024 });
  });

  it('makes the longest side the requested size, down or up', () => {
    assert.deepEqual(outputDimensions(300, 600, 512, 1024), { width: 256, height: 512 });
    assert.deepEqual(outputDimensions(100, 50, 400, 1024), { width: 400, height: 200 });
  });

  it('never gives a side of 0 for extreme aspect ratios', () => {
    assert.deepEqual(outputDimensions(10000, 1, undefined, 1024), { width: 1024, height: 1 });
  });

  it('refuses sizes that are not positive integers', () => {
    assert.throws(() => outputDimensions(0, 10, undefined, 1024));
    assert.throws(() => outputDimensions(10, 10, 12.5, 1024));
  });
});

describe('encodeImage', () => {
  for (const [format, tolerance] of [
    ['png', 0],
    ['jpeg', 6],
    ['webp', 6],
  ] as const) {
    it(`${format}: decodes back to the same size and close pixels`, async () => {
      const bytes = await encodeImage(photoPixels(48, 32), 48, 32, format);
      const decoded = await decodeImage(bytes, limits);
      assert.deepEqual([decoded.width, decoded.height, decoded.sourceFormat], [48, 32, format]);
      const error = meanAbsoluteError(decoded.data, photoPixels(48, 32));
      assert.ok(error <= tolerance, `mean absolute error ${error.toFixed(2)}`);
    });
  }

  it('refuses raw data of the wrong length', async () => {
    await assert.rejects(encodeImage(photoPixels(48, 32), 48, 31, 'png'), RangeError);
  });
});
