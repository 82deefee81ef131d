import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { cyclegan } from '../../gan/cyclegan/cyclegan.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { countFlops } from '../../gan/flops.js';
import { trainableParamCount } from '../../gan/param-count.js';
import { buildPatchGan } from '../../gan/blocks/patchgan.js';
import { pix2pix } from '../../gan/pix2pix/pix2pix.js';
import type { Networks } from '../../gan/architecture.js';

/*
 * The reference baselines at full size against the parameter counts of the reference
 * toolkit (junyanz/pytorch-CycleGAN-and-pix2pix, `print_network`: PyTorch parameters, i.e.
 * trainable weights). Building only allocates weights; nothing runs at full size.
 */

before(async () => {
  await tf.setBackend('cpu');
});

function withNetworks(nets: Networks, check: (nets: Networks) => void): void {
  try {
    check(nets);
  } finally {
    disposeNetworks(nets);
  }
}

describe('pix2pix', () => {
  it('unet_256 (ngf 64, batch norm) has the reference 54,413,955 parameters, its PatchGAN on 6 channels 2,768,705', () => {
    withNetworks(pix2pix.build(pix2pix.options.parse({})), ({ generators, discriminators }) => {
      const G = generators.G!;
      assert.equal(trainableParamCount(G), 54_413_955);
      // tfjs also counts BatchNorm's moving mean and variance (PyTorch buffers): 2 × 4,928 channels.
      assert.equal(G.countParams() - trainableParamCount(G), 9_856);
      assert.equal(G.layers.filter((l) => l.getClassName() === 'Dropout').length, 3, 'dropout in the three innermost non-innermost decoder blocks');
      assert.equal(trainableParamCount(discriminators.D!), 2_768_705);
      assert.deepEqual(discriminators.D!.outputs[0]!.shape, [null, 30, 30, 1]);
      // 2 × multiply-adds, summed layer by layer from the reference's shapes (transposed convs
      // counted on their real input, not on the zero-dilated one as some profilers do).
      assert.deepEqual(countFlops(G), { flops: 12_096_372_736, approximated: [] });
      assert.deepEqual(countFlops(discriminators.D!), { flops: 6_394_281_984, approximated: [] });
    });
  });

  it('gives convs before an instance norm a bias, as the reference does', () => {
    // UnetGenerator(3, 3, 7, ngf=16, InstanceNorm2d): weights of the reference's blocks plus one bias per conv channel.
    withNetworks(pix2pix.build(pix2pix.options.parse({ norm: 'instance', netG: 'unet_128', imageSize: 128, ngf: 16 })), ({ generators }) => {
      assert.equal(trainableParamCount(generators.G!), 2_616_675);
    });
  });

  it('rejects an image size the U-Net cannot halve down to 1×1', () => {
    assert.equal(pix2pix.options.safeParse({ imageSize: 192 }).success, false);
    assert.equal(pix2pix.options.safeParse({ imageSize: 512 }).success, true);
  });
});

describe('PatchGAN', () => {
  it('on 3 channels with batch norm has 2,765,633 parameters, with instance norm 2,764,737', () => {
    for (const [norm, expected] of [
      ['batch', 2_765_633],
      ['instance', 2_764_737],
    ] as const) {
      const D = buildPatchGan({ name: 'D', imageSize: 256, inputChannels: 3, ndf: 64, nLayers: 3, norm });
      assert.equal(trainableParamCount(D), expected, norm);
      D.dispose();
    }
  });

  it('sees a 70×70 patch per logit, at the offsets of the PyTorch padding', () => {
    // Logits at 96 px: 96 → 48 → 24 → 12 → 11 → 10. Logit i covers input rows 8i − 23 … 8i + 46.
    const D = buildPatchGan({ name: 'D', imageSize: 96, inputChannels: 1, ndf: 2, nLayers: 3, norm: 'batch' });
    const gradient = tf.tidy(() => {
      const logit = (x: tf.Tensor) => (D.apply(x, { training: false }) as tf.Tensor).slice([0, 5, 5, 0], [1, 1, 1, 1]).sum();
      return tf
        .grad(logit)(tf.randomNormal([1, 96, 96, 1], 0, 1, 'float32', 3))
        .squeeze()
        .abs()
        .arraySync() as number[][];
    });
    const rows = gradient.map((row, r) => (row.some((v) => v > 0) ? r : -1)).filter((r) => r >= 0);
    const cols = gradient[0]!.map((_, c) => (gradient.some((row) => row[c]! > 0) ? c : -1)).filter((c) => c >= 0);
    assert.deepEqual([rows[0], rows.at(-1), rows.length], [17, 86, 70]);
    assert.deepEqual([cols[0], cols.at(-1), cols.length], [17, 86, 70]);
    D.dispose();
  });
});

describe('cyclegan', () => {
  it('resnet_9blocks (ngf 64) has the reference 11,378,179 parameters per generator, 2,764,737 per discriminator', () => {
    withNetworks(cyclegan.build(cyclegan.options.parse({})), ({ generators, discriminators }) => {
      assert.deepEqual(Object.keys(generators).sort(), ['G_A', 'G_B']);
      for (const G of Object.values(generators)) assert.equal(trainableParamCount(G), 11_378_179);
      for (const D of Object.values(discriminators)) assert.equal(trainableParamCount(D), 2_764_737);
      // 49.55 G multiply-adds; profilers that run transposed convs on the zero-dilated input report 56.8 G.
      assert.deepEqual(countFlops(generators.G_A!), { flops: 99_103_014_912, approximated: [] });
      assert.equal(cyclegan.served, 'G_A');
    });
  });

  it('resnet_6blocks has 7,837,699 parameters per generator', () => {
    withNetworks(cyclegan.build(cyclegan.options.parse({ netG: 'resnet_6blocks', imageSize: 64 })), ({ generators }) => {
      assert.equal(trainableParamCount(generators.G_A!), 7_837_699);
    });
  });
});
