import sharp from 'sharp';

/**
 * The one sharp instance the project uses, configured once. libvips' operation cache only
 * pays off when the same image is processed again; the bots decode a different upload
 * every time, so the cache would just hold memory. Threading (`sharp.concurrency`) keeps
 * sharp's default of one libvips thread per core.
 */
sharp.cache(false);

export { sharp };
