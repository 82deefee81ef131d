/**
 * The style a photo's caption asks for: its first word, with or without a leading "/" and
 * an "@botname" suffix ("/toon", "toon", "/toon@animebot"). Undefined for no caption; a
 * word that names no style is for the core to refuse.
 */
export function styleFromCaption(caption: string | undefined): string | undefined {
  const word = caption?.trim().split(/\s+/)[0];
  if (!word) return undefined;
  return word.replace(/^\//, '').replace(/@\w+$/, '').toLowerCase() || undefined;
}
