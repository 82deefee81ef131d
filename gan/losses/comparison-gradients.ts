import * as tf from '@tensorflow/tfjs';

/**
 * Comparisons have zero gradient, but tfjs 4.22 registers none for most of them. First-order
 * training never needs one; second-order does: LeakyReLU's gradient is
 * `where(x > 0, dy, α·dy)`, and differentiating that again (a gradient penalty minimised
 * by an optimizer) reaches `Greater` through the `where` condition and fails with
 * "gradient function not found for Greater". Importing this module registers zero
 * gradients for the comparisons tfjs lacks, leaving any that exist alone.
 */
/** Kernel name → its input names. */
const comparisons: Record<string, string[]> = {
  Greater: ['a', 'b'],
  Less: ['a', 'b'],
  LessEqual: ['a', 'b'],
  Equal: ['a', 'b'],
  NotEqual: ['a', 'b'],
  LogicalAnd: ['a', 'b'],
  LogicalOr: ['a', 'b'],
  LogicalNot: ['x'],
};

for (const [kernelName, inputNames] of Object.entries(comparisons)) {
  // Typed as always there; undefined for a kernel without a registered gradient.
  const existing = tf.getGradient(kernelName) as tf.GradConfig | undefined;
  if (existing) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: inputNames,
    gradFunc: (_dy, saved) => Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zerosLike(saved[i]!)])),
  });
}
