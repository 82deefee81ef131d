import type { Architecture } from './architecture.js';

const architectures = new Map<string, Architecture>();

export function registerArchitecture<O extends Record<string, unknown>>(arch: Architecture<O>): Architecture<O> {
  if (architectures.has(arch.name)) throw new Error(`architecture ${arch.name} registered twice`);
  architectures.set(arch.name, arch as unknown as Architecture);
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
