import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '../../shared/layers/register-layers.js';
import { countFlops } from '../../gan/flops.js';
import { SelfAttention } from '../../shared/layers/self-attention.js';

before(async () => {
  await tf.setBackend('cpu');
});

const [H, W, C, REDUCTION] = [2, 3, 4, 2];

function attentionModel(): { model: tf.LayersModel; layer: SelfAttention } {
  const input = tf.input({ shape: [H, W, C] });
  const layer = new SelfAttention({ reduction: REDUCTION, name: 'attention' });
  return { model: tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor }), layer };
}

/** Deterministic "random" values in [-1, 1). */
function values(count: number, seed: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) % 1);
}

/** SAGAN written out per position: y_j = x_j + γ Σ_i softmax_i(q_j·k_i) v_i, with 1×1 projections. */
function referenceAttention(x: number[], weights: number[][], gamma: number): number[] {
  const [wq, bq, wk, bk, wv, bv] = weights as [number[], number[], number[], number[], number[], number[]];
  const positions = H * W;
  const project = (kernel: number[], bias: number[], out: number) =>
    Array.from({ length: positions }, (_, p) =>
      Array.from({ length: out }, (_, o) => bias[o]! + Array.from({ length: C }, (_, c) => x[p * C + c]! * kernel[c * out + o]!).reduce((s, v) => s + v, 0)),
    );
  const cq = C / REDUCTION;
  const q = project(wq, bq, cq);
  const k = project(wk, bk, cq);
  const v = project(wv, bv, C);
  const y: number[] = [];
  for (let j = 0; j < positions; j++) {
    const scores = k.map((ki) => ki.reduce((s, kv, d) => s + kv * q[j]![d]!, 0));
    const max = Math.max(...scores);
    const exp = scores.map((s) => Math.exp(s - max));
    const sum = exp.reduce((s, e) => s + e, 0);
    for (let c = 0; c < C; c++) {
      const attended = exp.reduce((s, e, i) => s + (e / sum) * v[i]![c]!, 0);
      y.push(x[j * C + c]! + gamma * attended);
    }
  }
  return y;
}

test('self-attention starts as the identity (gamma initialised to 0)', () => {
  const { model } = attentionModel();
  const x = tf.randomNormal([2, H, W, C], 0, 1, 'float32', 3);
  const y = model.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
  tf.dispose([x, y]);
  model.dispose();
});

test('self-attention computes SAGAN attention over all positions', () => {
  const { model, layer } = attentionModel();
  const shapes = layer.getWeights().map((w) => w.shape);
  const gamma = 0.7;
  const weights = shapes.slice(0, -1).map((shape, i) =>
    values(
      shape.reduce((n, d) => n * d, 1),
      i + 1,
    ),
  );
  layer.setWeights([...weights.map((w, i) => tf.tensor(w, shapes[i])), tf.tensor([gamma])]);
  const xValues = values(H * W * C, 9).map((v) => v * 2);
  const x = tf.tensor4d(xValues, [1, H, W, C]);
  const y = model.predict(x) as tf.Tensor;
  const expected = referenceAttention(xValues, weights, gamma);
  Array.from(y.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-5, `element ${i}: ${v} vs ${expected[i]}`));

  // Unlike a convolution, every output position depends on every input position.
  const moved = xValues.slice();
  moved[0] = xValues[0]! + 1;
  const yMoved = model.predict(tf.tensor4d(moved, [1, H, W, C])) as tf.Tensor;
  const change = tf.abs(yMoved.sub(y)).max(-1).dataSync();
  assert.ok(
    Array.from(change).every((d) => d > 1e-6),
    `per-position change ${Array.from(change).join(',')}`,
  );
  tf.dispose([x, y, yMoved]);
  model.dispose();
});

test('a model with self-attention reloads with tf.loadLayersModel and gives bit-identical outputs', async () => {
  const { model, layer } = attentionModel();
  layer.setWeights(layer.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 20 + i)));
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(artifacts);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const x = tf.randomNormal([2, H, W, C], 0, 1, 'float32', 5);
  const [y, yLoaded] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
  assert.ok(tf.abs(y.sub(x)).max().dataSync()[0]! > 1e-3, 'attention changes its input once gamma is not 0');
  assert.deepEqual(Array.from(yLoaded.dataSync()), Array.from(y.dataSync()));
  tf.dispose([x, y, yLoaded]);
  model.dispose();
  loaded.dispose();
});

test('self-attention reports its FLOPs, quadratic in the positions', () => {
  const { model } = attentionModel();
  // P = 6 positions, C = 4, C̄ = 2: projections 2·6·4·(2·2 + 4) = 384, attention 2·36·(2 + 4) = 432.
  assert.deepEqual(countFlops(model), { flops: 384 + 432, approximated: [] });
  model.dispose();
});
