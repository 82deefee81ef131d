import type { Architecture } from './architecture.js';

const architectures = new Map<string, Architecture>();

export function registerArchitecture<O extends Record<string, unknown>>(arch: Architecture<O>): Architecture<O> {
  if (architectures.has(arch.name)) throw new Error(`architecture ${arch.name} registered twice`);
  architectures.set(arch.name, arch);
  return arch;
}

export function getArchitecture(name: string): Architecture {
  const arch = architectures.get(name);
  if (!arch) throw new Error(`unknown architecture "${name}"; known: ${[...architectures.keys()].join(', ')}`);
  return arch;
}

export function listArchitectures(): Architecture[] {
  return [...architectures.values()];
}

/**
 * The multiple a stored generator's input sides must be to run at any size
 * (`Architecture.servedSizeMultiple`), from its architecture name and options as saved;
 * undefined when the architecture is unknown here, not fully convolutional, or the options
 * no longer parse.
 */
export function servedSizeMultiple(architecture: string, options: Record<string, unknown>): number | undefined {
  const arch = architectures.get(architecture);
  if (!arch?.servedSizeMultiple) return undefined;
  const parsed = arch.options.safeParse(options);
  return parsed.success ? arch.servedSizeMultiple(parsed.data) : undefined;
}
