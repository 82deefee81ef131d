/**
 * Strings that a log line holding `image`'s bytes would contain: 32 bytes from its middle as
 * hex, and as base64 at each of the three alignments a base64 encoding of the whole file
 * (or of a part of it) could have.
 */
export function imageNeedles(image: Buffer): string[] {
  const middle = Math.floor(image.length / 2);
  const chunk = (offset: number) => image.subarray(middle + offset, middle + offset + 36);
  return [chunk(0).toString('hex'), ...[0, 1, 2].map((offset) => chunk(offset).toString('base64').slice(4, -4))];
}

/** The index of the first image whose bytes appear in a log line, or undefined when none does. */
export function leakedImage(logs: readonly string[], images: readonly Buffer[]): number | undefined {
  const index = images.findIndex((image) => imageNeedles(image).some((needle) => logs.some((line) => line.includes(needle))));
  return index === -1 ? undefined : index;
}
