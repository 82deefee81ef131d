import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { differentialGanLoss, differentialImage } from '../../gan/pix2pix-unetpp/differential-image.js';

before(async () => {
  await tf.setBackend('cpu');
});

/** A 1×2 RGB image whose red channel is `red` and green/blue are `rest`. */
function image(red: [number, number], rest = 0): tf.Tensor4D {
  return tf.tensor4d([red[0], rest, rest, red[1], rest, rest], [1, 1, 2, 3]);
}

/** A "discriminator" whose patch logits are one input channel. */
const channel = (c: number) => (x: tf.Tensor4D) => x.slice([0, 0, 0, c], [-1, -1, -1, 1]);

function value(f: () => tf.Scalar): number {
  return tf.tidy(() => f().dataSync()[0]!);
}

test('the differential image is the image minus the source', () => {
  const d = differentialImage(image([0.5, -1], 0.25), image([1, 1], -0.75));
  assert.deepEqual(Array.from(d.dataSync()), [0.5, -1, -1, 2, -1, -1]);
  d.dispose();
});

test('the differential discriminator sees the source in channels 0-2 and the difference in 3-5', () => {
  const source = image([0, 0.5]);
  const output = image([0, 2.5]);
  // Channel 3 is red of output − source: logits [0, 2].
  // BCE with logits: log(1 + e^0) = 0.693147, log(1 + e^-2) = 0.126928, log(1 + e^2) = 2.126928.
  assert.ok(Math.abs(value(() => differentialGanLoss('vanilla', channel(3), source, output, true)) - (0.693147 + 0.126928) / 2) < 1e-5);
  assert.ok(Math.abs(value(() => differentialGanLoss('vanilla', channel(3), source, output, false)) - (0.693147 + 2.126928) / 2) < 1e-5);
  // Least squares against 1 on the same logits: ((0 − 1)² + (2 − 1)²) / 2 = 1.
  assert.ok(Math.abs(value(() => differentialGanLoss('lsgan', channel(3), source, output, true)) - 1) < 1e-6);
  // Channel 0 is the source's red, [0, 0.5]: against 0, (0 + 0.25) / 2.
  assert.ok(Math.abs(value(() => differentialGanLoss('lsgan', channel(0), source, output, false)) - 0.125) < 1e-6);
});

test('a translation that adds nothing gives the discriminator a zero difference image', () => {
  const source = image([0.3, -0.4], 0.1);
  // Logits 0 everywhere: the vanilla loss is log 2 whatever the target label.
  assert.ok(Math.abs(value(() => differentialGanLoss('vanilla', channel(4), source, source, true)) - Math.log(2)) < 1e-6);
  source.dispose();
});
