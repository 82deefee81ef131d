"""PyTorch twins of the model zoo's served generators, the PyTorch side of `npm run bench:models`.

    /usr/bin/python3 bench/torch_models.py --arch NAME [--size S] [--batch B] [--threads T]
        [--warmup 1] [--runs 3] [--mode forward|train] [--params-only] [--device cpu|cuda] [--profile]

Builds the served generator of architecture NAME (gan/<NAME>/<NAME>.ts) with the paper
defaults of the TypeScript code (`arch.options.parse({})`, the input size replaced by --size)
layer for layer: the same kernels, strides, paddings, norms, activations, attention and
resampling, so the shapes, the trainable parameter count and the FLOPs equal those of the
tfjs network. Weights are random (initialised as the TS code initialises them where that is
part of the layer); exact numerics are not needed for timing. Then prints one JSON line:

    {"arch", "size", "batch", "threads", "mode", "params", "ms", "torch"}

"params" is the trainable parameter count (for OME the frozen pretrained generator is not
trainable, as in the TS served model); "ms" the median wall time per batch (forward: eval
mode under torch.inference_mode(); train: one pix2pix iteration) over --runs after --warmup,
or null with --params-only. --profile adds "profile": one more forward under
torch.autograd.profiler, its self CPU time by operator ([name, ms], most expensive first).

Mode train exists for pix2pix only: one iteration as the reference toolkit
(junyanz/pytorch-CycleGAN-and-pix2pix, pix2pix_model.py) runs it — G forward, D update
(conditional 70×70 PatchGAN, batch norm, vanilla GAN loss, halved), G update (GAN + 100·L1),
Adam(2e-4, β 0.5, 0.999) — with unet_<size> as bench/training-step.ts; "params" = G + D.

tfjs and PyTorch conventions: NHWC vs NCHW changes no count or FLOP. tfjs 'same' padding puts
the odd pixel of an odd total padding at the bottom/right, which PyTorch's symmetric
`padding` cannot express: `Conv2dSame` pads like tfjs wherever the TS code says 'same' and the
padding is not symmetric (k4 s2 on even sizes is, and uses PyTorch's padding=1 as the pix2pix
reference does). tfjs conv2dTranspose 'same' with k4 s2 equals ConvTranspose2d(4, 2, 1).

The BLAS matters: convolutions run in oneDNN, but transposed convolutions
(slow_conv_transpose2d), linear layers and matrix products go through libblas.so.3. Debian's
python3-torch with the reference (netlib) libblas3 makes those tens of times slower per FLOP than the
convolutions; measure with an optimised BLAS selected (e.g. the libopenblas0-pthread package).

Only the architectures' default configurations are built (other sizes follow the TS size
rules); options such as pix2pix-unetpp's generator 'unet', OME's 'top-injected' generator or
the ResNet-18/34 backbones are not. Per-architecture differences are noted at each builder.
"""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------------------------------------
# Building blocks shared by several architectures (shared/layers/*, gan/blocks/*).


class Conv2dSame(nn.Conv2d):
    """nn.Conv2d with tfjs 'same' padding: output ceil(size / stride), the odd pixel of an odd
    total padding at the bottom/right. Symmetric padding goes to the conv itself; only the
    extra pixel is an explicit F.pad, so symmetric cases cost what nn.Conv2d costs."""

    def forward(self, x):
        symmetric, extra = [], []
        for size, k, s, d in zip(x.shape[-2:], self.kernel_size, self.stride, self.dilation):
            total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
            symmetric.append(total // 2)
            extra.append(total % 2)
        if any(extra):
            x = F.pad(x, (0, extra[1], 0, extra[0]))
        return F.conv2d(x, self.weight, self.bias, self.stride, symmetric, self.dilation)


def deconv4x4(in_channels, out_channels, bias=True):
    """tfjs conv2dTranspose(k4, s2, 'same'): output 2H, one pixel cropped on each side."""
    return nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1, bias=bias)


def instance_norm(channels):
    """InstanceNorm (layers/instance-norm.ts, affine false): no weights, per-image statistics."""
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)


def batch_norm(channels):
    """tfjs batchNormalization({momentum: 0.9, epsilon: 1e-5}) is PyTorch's default BatchNorm2d."""
    return nn.BatchNorm2d(channels)


def bilinear_downsample(x, factor):
    """layers/bilinear-downsample.ts: PyTorch's half-pixel bilinear resize, which it reproduces."""
    if factor == 1:
        return x
    return F.interpolate(x, scale_factor=1 / factor, mode="bilinear", align_corners=False)


def nearest_upsample(x, factor):
    return x if factor == 1 else F.interpolate(x, scale_factor=factor, mode="nearest")


def blur_upsample2x(x):
    """layers/blur-upsample.ts: StyleGAN2's [1,3,3,1] upsampling as nearest 2× + zero-padded
    [1,2,1]/4 blur, computed with the same ops (two stride-1 2×2 mean pools)."""
    x = F.pad(nearest_upsample(x, 2), (1, 1, 1, 1))
    return F.avg_pool2d(F.avg_pool2d(x, 2, stride=1), 2, stride=1)


class SelfAttention(nn.Module):
    """layers/self-attention.ts (SAGAN): 1×1 query/key projections to C/8, a C→C value
    projection, softmax over positions, y = γ·o + x with γ a learned scalar (init 0)."""

    def __init__(self, channels, reduction=8):
        super().__init__()
        projected = max(1, channels // reduction)
        self.query = nn.Conv2d(channels, projected, 1)
        self.key = nn.Conv2d(channels, projected, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        query = self.query(x).flatten(2).transpose(1, 2)  # [n, positions j, c']
        key = self.key(x).flatten(2)  # [n, c', positions i]
        attention = torch.softmax(torch.bmm(query, key), dim=-1)  # [n, j, i]
        attended = torch.bmm(self.value(x).flatten(2), attention.transpose(1, 2))  # [n, c, j]
        return x + self.gamma * attended.view(n, c, h, w)


class ModulatedConv(nn.Module):
    """layers/modulated-conv.ts: StyleGAN2's (de)modulated conv in its non-fused form — style
    s = affine(code) (bias init 1) scales the input, optional blur-upsample 2×, a shared 'same'
    conv, demodulation 1/sqrt(s²·Σw² + ε) per sample and output channel, then the bias.
    Kaiming-normal weights as the TS layer."""

    def __init__(self, in_channels, out_channels, kernel_size, code_size, demodulate, upsample=False):
        super().__init__()
        self.style = nn.Linear(code_size, in_channels)
        self.conv = Conv2dSame(in_channels, out_channels, kernel_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.demodulate = demodulate
        self.upsample = upsample
        nn.init.kaiming_normal_(self.style.weight)
        nn.init.ones_(self.style.bias)
        nn.init.kaiming_normal_(self.conv.weight)

    def forward(self, x, code):
        style = self.style(code)  # [n, in]
        h = x * style[:, :, None, None]
        if self.upsample:
            h = blur_upsample2x(h)
        y = self.conv(h)
        if self.demodulate:
            energy = self.conv.weight.square().sum((2, 3))  # [out, in]
            y = y * torch.rsqrt(style.square() @ energy.t() + 1e-8)[:, :, None, None]
        return y + self.bias[None, :, None, None]


# ---------------------------------------------------------------------------------------------
# pix2pix and cyclegan: the reference toolkit's networks (junyanz/pytorch-CycleGAN-and-pix2pix,
# models/networks.py), which pix2pix.ts and cyclegan.ts reproduce. No differences: the TS code
# documents its padding equivalences (pix2pix.ts, cyclegan.ts) and its in-place-LeakyReLU skip.


def reference_init(net):
    """The reference's init_weights('normal', 0.02), as weight-init.ts."""

    def init(m):
        name = m.__class__.__name__
        if getattr(m, "weight", None) is not None and ("Conv" in name or "Linear" in name):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif "BatchNorm2d" in name:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)

    return net.apply(init)


class UnetSkipConnectionBlock(nn.Module):
    """The reference's U-Net block: X → [down → submodule → up] → cat(X, ·). Its LeakyReLU is
    in place, so the skip carries LeakyReLU(X), as pix2pix.ts reproduces."""

    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False, use_dropout=False):
        super().__init__()
        self.outermost = outermost
        use_bias = False  # batch norm
        input_nc = input_nc or outer_nc
        downconv = nn.Conv2d(input_nc, inner_nc, 4, stride=2, padding=1, bias=use_bias)
        downrelu = nn.LeakyReLU(0.2, True)
        downnorm = batch_norm(inner_nc)
        uprelu = nn.ReLU(True)
        upnorm = batch_norm(outer_nc)
        if outermost:
            model = [downconv, submodule, uprelu, deconv4x4(inner_nc * 2, outer_nc), nn.Tanh()]
        elif innermost:
            model = [downrelu, downconv, uprelu, deconv4x4(inner_nc, outer_nc, use_bias), upnorm]
        else:
            model = [downrelu, downconv, downnorm, submodule, uprelu, deconv4x4(inner_nc * 2, outer_nc, use_bias), upnorm]
            if use_dropout:
                model.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def unet_generator(num_downs, ngf=64, input_nc=3, output_nc=3, use_dropout=True):
    """The reference's UnetGenerator (unet_256: 8 downs, unet_128: 7), batch norm."""
    block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(num_downs - 5):
        block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, submodule=block, use_dropout=use_dropout)
    block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, submodule=block)
    block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, submodule=block)
    block = UnetSkipConnectionBlock(ngf, ngf * 2, submodule=block)
    return UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True)


def patch_gan(input_nc, ndf=64, n_layers=3):
    """The reference's NLayerDiscriminator (70×70 PatchGAN with n_layers 3), batch norm."""
    use_bias = False  # batch norm
    layers = [nn.Conv2d(input_nc, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    mult = 1
    for n in range(1, n_layers + 1):
        prev, mult = mult, min(2**n, 8)
        stride = 2 if n < n_layers else 1
        layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=stride, padding=1, bias=use_bias), batch_norm(ndf * mult), nn.LeakyReLU(0.2, True)]
    layers.append(nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1))
    return nn.Sequential(*layers)


class ResnetBlock(nn.Module):
    """The reference's ResnetBlock: reflection-padded 3×3 conv, norm, ReLU, (no dropout), conv, norm; + x."""

    def __init__(self, dim):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), instance_norm(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), instance_norm(dim),
        )

    def forward(self, x):
        return x + self.block(x)


def resnet_generator(ngf=64, blocks=9, input_nc=3, output_nc=3):
    """The reference's ResnetGenerator (resnet_9blocks), instance norm (non-affine, so conv biases on)."""
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7), instance_norm(ngf), nn.ReLU(True)]
    for i in range(2):
        mult = 2**i
        layers += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1), instance_norm(ngf * mult * 2), nn.ReLU(True)]
    layers += [ResnetBlock(ngf * 4) for _ in range(blocks)]
    for i in range(2):
        mult = 2 ** (2 - i)
        layers += [
            nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1),
            instance_norm(ngf * mult // 2), nn.ReLU(True),
        ]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
    return nn.Sequential(*layers)


UNET_DOWNS = {32: 5, 64: 6, 128: 7, 256: 8}  # pix2pix.ts netG unet_<size>, as bench/training-step.ts picks it


def build_pix2pix(size):
    require(size in UNET_DOWNS, f"pix2pix builds unet_<size>: --size one of {sorted(UNET_DOWNS)}")
    return reference_init(unet_generator(UNET_DOWNS[size]))


def build_cyclegan(size):
    require(size % 4 == 0, "cyclegan: --size must be a multiple of 4")
    return reference_init(resnet_generator())


# ---------------------------------------------------------------------------------------------
# pix2pix-unetpp (pix2pix-unetpp/unetpp-generator.ts): U-Net++ of depth 8, ngf 32, batch norm,
# dropout 0.5 in every nested node. No differences.


class UnetPlusPlusGenerator(nn.Module):
    def __init__(self, depth=8, ngf=32, dropout=0.5):
        super().__init__()
        width = lambda level: ngf * min(2**level, 8)
        self.depth = depth
        self.down = nn.ModuleList()
        for i in range(depth):
            layers = [nn.LeakyReLU(0.2)] if i > 0 else []
            layers.append(nn.Conv2d(3 if i == 0 else width(i - 1), width(i), 4, stride=2, padding=1, bias=False))
            if 0 < i < depth - 1:
                layers.append(batch_norm(width(i)))
            self.down.append(nn.Sequential(*layers))
        # nested[f"{i}_{j}"] is node X^{i,j}: an up block over X^{i+1,0..j-1}.
        self.nested = nn.ModuleDict()
        for j in range(1, depth):
            for i in range(depth - j):
                layers = [nn.ReLU(), deconv4x4(j * width(i + 1), width(i), bias=False), batch_norm(width(i))]
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
                self.nested[f"{i}_{j}"] = nn.Sequential(*layers)
        self.output = nn.Sequential(nn.ReLU(), deconv4x4(depth * width(0), 3), nn.Tanh())

    def forward(self, x):
        nodes = []
        for block in self.down:
            x = block(x)
            nodes.append([x])
        for j in range(1, self.depth):
            for i in range(self.depth - j):
                nodes[i].append(self.nested[f"{i}_{j}"](torch.cat(nodes[i + 1][:j], 1)))
        return self.output(torch.cat(nodes[0], 1))


def build_pix2pix_unetpp(size):
    require(size % 256 == 0, "pix2pix-unetpp: --size must be a multiple of 256 (depth 8)")
    return reference_init(UnetPlusPlusGenerator())


# ---------------------------------------------------------------------------------------------
# cyclegan-unet-sa (cyclegan-unet-sa/attention-unet-generator.ts): 8 down and 8 up blocks of
# (transposed) conv 4×4 s2 (biased) → instance norm → LeakyReLU(0.2), SAGAN self-attention
# after the 32×32 block of both paths. No differences.


class AttentionUnetGenerator(nn.Module):
    def __init__(self, size, blocks=8, ngf=64, attention_size=32):
        super().__init__()
        width = lambda i: ngf * min(2**i, 8)
        attend = lambda i: SelfAttention(width(i)) if size // 2 ** (i + 1) == attention_size else nn.Identity()
        self.down = nn.ModuleList()
        for i in range(blocks):
            norm = [instance_norm(width(i))] if i < blocks - 1 else []  # innermost (1×1) unnormalised
            conv = nn.Conv2d(3 if i == 0 else width(i - 1), width(i), 4, stride=2, padding=1)
            self.down.append(nn.Sequential(conv, *norm, nn.LeakyReLU(0.2), attend(i)))
        self.up = nn.ModuleList()
        for i in range(blocks - 2, -1, -1):
            in_channels = width(blocks - 1) if i == blocks - 2 else 2 * width(i + 1)
            self.up.append(nn.Sequential(deconv4x4(in_channels, width(i)), instance_norm(width(i)), nn.LeakyReLU(0.2), attend(i)))
        self.output = nn.Sequential(deconv4x4(2 * width(0), 3), nn.Tanh())

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
        for block, skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([block(x), skip], 1)
        return self.output(x)


def build_cyclegan_unet_sa(size):
    require(size % 256 == 0, "cyclegan-unet-sa: --size must be a multiple of 256 (8 blocks)")
    return reference_init(AttentionUnetGenerator(size))


# ---------------------------------------------------------------------------------------------
# pmsgan (pmsgan/*.ts): three stages at 1, 1/2, 1/4 resolution, widths 32/64/128, five modified
# residual blocks per trunk, EFF (dense block of 4 layers), CSASP (atrous rates 1, 2, 4 by
# source stage, channel attention r 16), DFF, MSSA; all convs biased, 'same', no norm.
# Differences: none in the graph. AtrousConv (space-to-batch in tfjs) is a dilated conv here;
# the auxiliary stage images are computed (MSSA reads them) but only y^out is returned.

STAGES = 3


def conv_act(in_channels, out_channels, kernel_size, stride=1, act=None, dilation=1):
    """A biased tfjs-'same' conv (pmsgan/convs.ts, ldsgan/conv.ts), optionally followed by an activation."""
    conv = Conv2dSame(in_channels, out_channels, kernel_size, stride=stride, dilation=dilation)
    return conv if act is None else nn.Sequential(conv, act)


def resize_stage(x, source, target):
    """pmsgan/resize-stage.ts: bilinear down, nearest up, between stage resolutions."""
    factor = 2 ** abs(source - target)
    return bilinear_downsample(x, factor) if source < target else nearest_upsample(x, factor)


class ResidualTrunk(nn.Module):
    """conv3×3 + ReLU, then `blocks` of x + conv(ReLU(conv(x)))."""

    def __init__(self, in_channels, filters, blocks):
        super().__init__()
        self.head = conv_act(in_channels, filters, 3, act=nn.ReLU())
        self.blocks = nn.ModuleList(nn.Sequential(conv_act(filters, filters, 3, act=nn.ReLU()), conv_act(filters, filters, 3)) for _ in range(blocks))

    def forward(self, x):
        h = self.head(x)
        for block in self.blocks:
            h = h + block(h)
        return h


class FeatureAttention(nn.Module):
    """base + conv3×3(base ⊙ guide)."""

    def __init__(self, filters):
        super().__init__()
        self.conv = conv_act(filters, filters, 3)

    def forward(self, base, guide):
        return base + self.conv(base * guide)


class DenseBlock(nn.Module):
    def __init__(self, in_channels, filters, layers):
        super().__init__()
        growth = max(1, round(filters / 4))
        self.layers = nn.ModuleList(conv_act(in_channels + k * growth, growth, 3, act=nn.ReLU()) for k in range(layers))
        self.transition = conv_act(in_channels + layers * growth, filters, 1, act=nn.ReLU())

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], 1)
        return self.transition(x)


class EncodedFeatureFusion(nn.Module):
    def __init__(self, previous_channels, filters, dense_layers):
        super().__init__()
        self.dense = DenseBlock(3, filters, dense_layers)
        self.down = conv_act(previous_channels, filters, 3, stride=2, act=nn.ReLU())
        self.attention = FeatureAttention(filters)

    def forward(self, previous_encoding, x):
        return self.attention(self.down(previous_encoding), self.dense(x))


class DecodedFeatureFusion(nn.Module):
    def __init__(self, coarser_channels, filters):
        super().__init__()
        self.up = nn.Sequential(deconv4x4(coarser_channels, filters), nn.ReLU())
        self.attention = FeatureAttention(filters)

    def forward(self, current, coarser_decoding):
        return self.attention(current, self.up(coarser_decoding))


class ChannelAttention(nn.Module):
    """SE/RCAN: global average pool, dense C/r + ReLU, dense C + sigmoid, scale."""

    def __init__(self, channels, reduction):
        super().__init__()
        self.gate = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
            nn.Linear(channels, max(1, channels // reduction)), nn.ReLU(),
            nn.Linear(max(1, channels // reduction), channels), nn.Sigmoid(),
        )

    def forward(self, x):
        return x * self.gate(x)[:, :, None, None]


class CrossStageAtrousPyramid(nn.Module):
    def __init__(self, stage, encoding_channels, filters, rates, reduction):
        super().__init__()
        self.stage = stage
        self.branches = nn.ModuleList(
            conv_act(channels, filters, 1, act=nn.ReLU()) if source == stage
            else conv_act(channels, filters, 3, dilation=rates[source - 1], act=nn.ReLU())
            for source, channels in enumerate(encoding_channels, start=1)
        )
        self.attention = ChannelAttention(filters * len(encoding_channels), reduction)
        self.reduce = conv_act(filters * len(encoding_channels), filters, 1)

    def forward(self, encodings):
        branches = [branch(resize_stage(e, source, self.stage)) for source, (branch, e) in enumerate(zip(self.branches, encodings), start=1)]
        return self.reduce(self.attention(torch.cat(branches, 1)))


class MultiscaleSupervisedAttention(nn.Module):
    def __init__(self, filters):
        super().__init__()
        self.mask = conv_act(3 * STAGES, filters, 3)
        self.output = conv_act(filters, 3, 3, act=nn.Tanh())

    def forward(self, decoded, stage_images):
        images = torch.cat([resize_stage(image, stage, 1) for stage, image in enumerate(stage_images, start=1)], 1)
        masks = torch.softmax(self.mask(images), dim=1)
        return self.output(decoded + decoded * masks)


class PmsGenerator(nn.Module):
    def __init__(self, base=32, residual_blocks=5, dense_layers=4, rates=(1, 2, 4), reduction=16):
        super().__init__()
        width = [base * 2**s for s in range(STAGES)]
        self.eff = nn.ModuleList(EncodedFeatureFusion(width[s - 1], width[s], dense_layers) for s in range(1, STAGES))
        self.encoders = nn.ModuleList(ResidualTrunk(3 if s == 0 else width[s], width[s], residual_blocks) for s in range(STAGES))
        self.csasp = nn.ModuleList(CrossStageAtrousPyramid(s + 1, width, width[s], rates, reduction) for s in range(STAGES))
        self.dff = nn.ModuleList(DecodedFeatureFusion(width[s + 1], width[s]) for s in range(STAGES - 1))
        self.decoders = nn.ModuleList(ResidualTrunk(width[s], width[s], residual_blocks) for s in range(STAGES))
        self.rgb = nn.ModuleList(conv_act(width[s], 3, 3, act=nn.Tanh()) for s in range(STAGES))
        self.mssa = MultiscaleSupervisedAttention(width[0])

    def forward(self, x):
        inputs = [x]
        for _ in range(1, STAGES):
            inputs.append(bilinear_downsample(inputs[-1], 2))
        encodings = [self.encoders[0](inputs[0])]
        for s in range(1, STAGES):
            encodings.append(self.encoders[s](self.eff[s - 1](encodings[s - 1], inputs[s])))
        decoder_inputs = [csasp(encodings) for csasp in self.csasp]
        decodings, images = [None] * STAGES, [None] * STAGES
        for s in reversed(range(STAGES)):
            fused = decoder_inputs[s] if s == STAGES - 1 else self.dff[s](decoder_inputs[s], decodings[s + 1])
            decodings[s] = self.decoders[s](fused)
            images[s] = self.rgb[s](decodings[s])
        return self.mssa(decodings[0], images)


def build_pmsgan(size):
    require(size % 4 == 0, "pmsgan: --size must be a multiple of 4 (three stages)")
    return reference_init(PmsGenerator())


# ---------------------------------------------------------------------------------------------
# ldsgan (ldsgan/*.ts) at 512 px: SDNet (Rich Init 64 + 4 stride-2 convs), LDTNet (9 residual
# blocks at 512 channels), TDSNet: ToRGB₀ then 4 × (RTRS → SABlock), summed RGB skips, tanh.
# All convs 'same' with LeakyReLU(0.2), Kaiming-normal init (§4.2). No differences; the k4 s1
# and k3 s2 'same' convs pad asymmetrically as tfjs (Conv2dSame).


def kaiming_init(net):
    """ldsgan/conv.ts and layers/kaiming-normal.ts: N(0, 2/fan_in) weights, zero biases
    (ModulatedConv initialises itself, its style bias at 1)."""
    modulated = {id(m.style) for m in net.modules() if isinstance(m, ModulatedConv)}
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and id(m) not in modulated:
            nn.init.kaiming_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return net


def lds_conv(in_channels, out_channels, kernel_size, stride=1):
    return conv_act(in_channels, out_channels, kernel_size, stride=stride, act=nn.LeakyReLU(0.2))


def patch_encoder(in_channels, ndf, layers):
    """ldsgan/patch-encoder.ts: unnormalised PatchGAN body with 'same' padding, one output channel."""
    widths = [in_channels] + [ndf * min(2**n, 8) for n in range(layers + 1)]
    convs = [lds_conv(widths[n], widths[n + 1], 4, stride=2) for n in range(layers)]
    return nn.Sequential(*convs, lds_conv(widths[layers], widths[layers + 1], 4), conv_act(widths[layers + 1], 1, 4))


class RealTimeRouteSearch(nn.Module):
    """ldsgan/rtrs.ts (one head): rich maps resized to the RGB size ∥ RGB → PatchGAN → flatten → 3 FC + LeakyReLU."""

    def __init__(self, rich_channels, rgb_size, ndf, layers, code_size):
        super().__init__()
        self.encoder = patch_encoder(rich_channels + 3, ndf, layers)
        patches = -(-rgb_size // 2**layers)  # 'same' stride-2 convs: ceil
        self.scale_block = nn.Sequential(
            nn.Flatten(),
            nn.Linear(patches * patches, code_size), nn.LeakyReLU(0.2),
            nn.Linear(code_size, code_size), nn.LeakyReLU(0.2),
            nn.Linear(code_size, code_size), nn.LeakyReLU(0.2),
        )

    def forward(self, rich_maps, rgb):
        resized = bilinear_downsample(rich_maps, rich_maps.shape[-1] // rgb.shape[-1])
        return self.scale_block(self.encoder(torch.cat([resized, rgb], 1)))


class SearchApplyBlock(nn.Module):
    """ldsgan/sablock.ts: modulated 3×3 upsampling conv, modulated 3×3 conv, modulated 1×1 ToRGB added to the blur-upsampled RGB."""

    def __init__(self, in_channels, filters, code_size):
        super().__init__()
        self.conv0 = ModulatedConv(in_channels, filters, 3, code_size, demodulate=True, upsample=True)
        self.conv1 = ModulatedConv(filters, filters, 3, code_size, demodulate=True)
        self.torgb = ModulatedConv(filters, 3, 1, code_size, demodulate=False)

    def forward(self, features, rgb, code):
        h = F.leaky_relu(self.conv0(features, code), 0.2)
        h = F.leaky_relu(self.conv1(h, code), 0.2)
        return h, blur_upsample2x(rgb) + self.torgb(h, code)


class LdsganGenerator(nn.Module):
    def __init__(self, size, n=4, base=64, max_channels=512, residual_blocks=9, code_size=512, rtrs_channels=64, rtrs_layers=3):
        super().__init__()
        channels_at = lambda resolution: min(max_channels, base * size // resolution)
        down = [channels_at(size // 2 ** (k + 1)) for k in range(n)]
        self.rich_init = lds_conv(3, base, 3)
        self.sdnet = nn.Sequential(*(lds_conv(c_in, c_out, 3, stride=2) for c_in, c_out in zip([base] + down, down)))
        bottleneck = down[-1]
        self.ldtnet = nn.ModuleList(nn.Sequential(lds_conv(bottleneck, bottleneck, 3), lds_conv(bottleneck, bottleneck, 3)) for _ in range(residual_blocks))
        self.torgb0 = conv_act(bottleneck, 3, 1)
        up = [channels_at(size // 2 ** (n - i - 1)) for i in range(n)]
        self.rtrs = nn.ModuleList(RealTimeRouteSearch(base, size // 2 ** (n - i), rtrs_channels, rtrs_layers, code_size) for i in range(n))
        self.sablocks = nn.ModuleList(SearchApplyBlock(c_in, c_out, code_size) for c_in, c_out in zip([bottleneck] + up, up))
        kaiming_init(self)

    def forward(self, image):
        rich = self.rich_init(image)
        h = self.sdnet(rich)
        for block in self.ldtnet:
            h = h + block(h)
        rgb = self.torgb0(h)
        for rtrs, sablock in zip(self.rtrs, self.sablocks):
            h, rgb = sablock(h, rgb, rtrs(rich, rgb))
        return torch.tanh(rgb)


def build_ldsgan(size):
    require(size % 16 == 0, "ldsgan: --size must be a multiple of 16 (4 downsamplings)")
    return LdsganGenerator(size)


# ---------------------------------------------------------------------------------------------
# ome (ome/*.ts), the served model 'ome' with default options: Algorithm 1 unrolled, N = 5 —
# zero average codes → G, then 5 × (encoder(x ∥ ŷ_t) added to the codes → G). Encoder ME:
# ResNet-50 backbone (7×7 s2 stem + BN + PReLU, no max-pool, stride on the 3×3 convs), FPN
# to 512 channels, 14 feature-to-code nets (pSp's GradualStyleBlock). G: StyleGAN2 skip
# synthesis at 256² (config-f channels, no noise, tanh), frozen: the served model trains only
# the encoder, so "params" counts the encoder alone (the generator adds 27,933,077 frozen
# weights, the average codes 7,168). Differences: initialisation of the plain layers is
# PyTorch's default (the TS uses heNormal/glorot); irrelevant for timing.


class Bottleneck(nn.Module):
    """ome/resnet-backbone.ts bottleneck unit: 1×1, 3×3 (stride), 1×1 ×4, each with BN; projection shortcut."""

    def __init__(self, in_channels, width, stride):
        super().__init__()
        out = 4 * width
        self.body = nn.Sequential(
            Conv2dSame(in_channels, width, 1, bias=False), batch_norm(width), nn.ReLU(),
            Conv2dSame(width, width, 3, stride=stride, bias=False), batch_norm(width), nn.ReLU(),
            Conv2dSame(width, out, 1, bias=False), batch_norm(out),
        )
        project = stride != 1 or in_channels != out
        self.shortcut = nn.Sequential(Conv2dSame(in_channels, out, 1, stride=stride, bias=False), batch_norm(out)) if project else nn.Identity()

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def feature_to_code(map_size, code_size):
    """ome/feature-to-code.ts: log2(H) stride-2 3×3 convs + LeakyReLU(0.01) to 1×1, a linear layer."""
    convs = [m for _ in range(int(math.log2(map_size))) for m in (Conv2dSame(code_size, code_size, 3, stride=2), nn.LeakyReLU(0.01))]
    return nn.Sequential(*convs, nn.Flatten(), nn.Linear(code_size, code_size))


class OmeEncoder(nn.Module):
    COARSE_CODES, MIDDLE_CODES = 3, 4  # pSp's split of the codes over the FPN levels

    def __init__(self, size, codes, in_channels=6, width=64, units=(3, 4, 6, 3), code_size=512):
        super().__init__()
        self.stem = nn.Sequential(Conv2dSame(in_channels, width, 7, stride=2, bias=False), batch_norm(width), nn.PReLU(width))
        self.stages = nn.ModuleList()
        channels = width
        for stage, count in enumerate(units):
            unit_width = width * 2**stage
            stage_units = []
            for unit in range(count):
                stage_units.append(Bottleneck(channels, unit_width, 2 if unit == 0 and stage > 0 else 1))
                channels = 4 * unit_width
            self.stages.append(nn.Sequential(*stage_units))
        c1, c2, c3 = (4 * width * 2**s for s in (1, 2, 3))
        # Levels are built only when a code reads them, as the TS does (few codes at small sizes).
        self.levels = 1 + (codes > self.COARSE_CODES) + (codes > self.COARSE_CODES + self.MIDDLE_CODES)
        self.laterals = nn.ModuleList(nn.Conv2d(c, code_size, 1) for c in (c3, c2, c1)[: self.levels])
        self.level_of = [0 if m < self.COARSE_CODES else 1 if m < self.COARSE_CODES + self.MIDDLE_CODES else 2 for m in range(codes)]
        self.f2c = nn.ModuleList(feature_to_code(size // 16 * 2 ** self.level_of[m], code_size) for m in range(codes))

    def forward(self, x):
        h = self.stem(x)
        ends = []
        for stage in self.stages:
            h = stage(h)
            ends.append(h)
        sources = [ends[3], ends[2], ends[1]]  # c3, c2, c1 at S/16, S/8, S/4
        pyramid = [self.laterals[0](sources[0])]
        for level in range(1, self.levels):
            pyramid.append(nearest_upsample(pyramid[-1], 2) + self.laterals[level](sources[level]))
        return torch.stack([f2c(pyramid[level]) for f2c, level in zip(self.f2c, self.level_of)], 1)


class StyleSynthesis(nn.Module):
    """ome/style-generator.ts styleSynthesis: learned 4×4 input, two modulated 3×3 convs per
    resolution (the first upsampling), ToRGB per resolution summed over blur-upsampled skips,
    LeakyReLU(0.2)·√2, tanh; code m drives layer m (ToRGB shares the next conv's code)."""

    def __init__(self, size, code_size=512, channel_base=32768, channel_max=512):
        super().__init__()
        channels = lambda resolution: max(1, min(channel_base // resolution, channel_max))
        self.input = nn.Parameter(torch.randn(1, channels(4), 4, 4))
        self.b4_conv = ModulatedConv(channels(4), channels(4), 3, code_size, demodulate=True)
        self.b4_torgb = ModulatedConv(channels(4), 3, 1, code_size, demodulate=False)
        self.blocks = nn.ModuleList()
        resolution = 8
        while resolution <= size:
            self.blocks.append(nn.ModuleList([
                ModulatedConv(channels(resolution // 2), channels(resolution), 3, code_size, demodulate=True, upsample=True),
                ModulatedConv(channels(resolution), channels(resolution), 3, code_size, demodulate=True),
                ModulatedConv(channels(resolution), 3, 1, code_size, demodulate=False),
            ]))
            resolution *= 2

    def forward(self, codes):
        code = lambda layer: codes[:, 0 if codes.shape[1] == 1 else layer]
        activate = lambda y: F.leaky_relu(y, 0.2) * math.sqrt(2)
        h = activate(self.b4_conv(self.input.expand(codes.shape[0], -1, -1, -1), code(0)))
        rgb = self.b4_torgb(h, code(1))
        layer = 1
        for conv0, conv1, torgb in self.blocks:
            h = activate(conv0(h, code(layer)))
            h = activate(conv1(h, code(layer + 1)))
            rgb = blur_upsample2x(rgb) + torgb(h, code(layer + 2))
            layer += 2
        return torch.tanh(rgb)


class OmeServed(nn.Module):
    def __init__(self, size, steps=5, code_size=512):
        super().__init__()
        codes = 2 * int(math.log2(size)) - 2  # one per StyleGAN2 style input (options.ts styleLayerCount)
        self.steps = steps
        self.encoder = OmeEncoder(size, codes, code_size=code_size)
        self.synthesis = StyleSynthesis(size, code_size).requires_grad_(False)
        self.register_buffer("average_code", torch.zeros(1, codes, code_size))

    def forward(self, condition):
        z = self.average_code.expand(condition.shape[0], -1, -1)
        image = self.synthesis(z)
        for _ in range(self.steps):
            z = z + self.encoder(torch.cat([condition, image], 1))
            image = self.synthesis(z)
        return image


def build_ome(size):
    require(size >= 16 and size & (size - 1) == 0, "ome: --size must be a power of two ≥ 16")
    return OmeServed(size)


# ---------------------------------------------------------------------------------------------
# Command line, counting and timing.

# Builders by architecture name, with the paper's input size (`arch.inputSize(options.parse({}))`).
ARCHITECTURES = {
    "pix2pix": (build_pix2pix, 256),
    "cyclegan": (build_cyclegan, 256),
    "pix2pix-unetpp": (build_pix2pix_unetpp, 256),
    "cyclegan-unet-sa": (build_cyclegan_unet_sa, 256),
    "pmsgan": (build_pmsgan, 256),
    "ldsgan": (build_ldsgan, 512),
    "ome": (build_ome, 256),
}


class UsageError(ValueError):
    pass


def require(condition, message):
    if not condition:
        raise UsageError(message)


def trainable_params(*nets):
    return sum(p.numel() for net in nets for p in net.parameters() if p.requires_grad)


def median_ms(step, warmup, runs, device):
    # CUDA kernels run asynchronously: a step's time is only known once the device is idle.
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def profile_by_operator(step, top=10):
    """One run of `step` under the autograd profiler: self CPU ms per operator, most expensive first."""
    with torch.autograd.profiler.profile() as prof:
        step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    return [[e.key, round(e.self_cpu_time_total / 1000, 2)] for e in rows[:top]]


def gan_loss(prediction, target_is_real):
    """The reference's GANLoss('vanilla'): BCE with logits against a map of 1s or 0s."""
    target = torch.ones_like(prediction) if target_is_real else torch.zeros_like(prediction)
    return F.binary_cross_entropy_with_logits(prediction, target)


def pix2pix_train_iteration(G, D, optimizer_G, optimizer_D, real_A, real_B, lambda_l1=100.0):
    """One iteration of the reference's Pix2PixModel.optimize_parameters."""
    fake_B = G(real_A)
    D.requires_grad_(True)
    optimizer_D.zero_grad()
    fake_AB = torch.cat([real_A, fake_B], 1)
    loss_D = 0.5 * (gan_loss(D(fake_AB.detach()), False) + gan_loss(D(torch.cat([real_A, real_B], 1)), True))
    loss_D.backward()
    optimizer_D.step()
    D.requires_grad_(False)
    optimizer_G.zero_grad()
    loss_G = gan_loss(D(fake_AB), True) + F.l1_loss(fake_B, real_B) * lambda_l1
    loss_G.backward()
    optimizer_G.step()


def measure(args):
    build, paper_size = ARCHITECTURES[args.arch]
    size = args.size or paper_size
    device = torch.device(args.device)
    G = build(size).to(device)
    images = lambda: torch.rand(args.batch, 3, size, size, device=device) * 2 - 1
    if args.mode == "forward":
        params = trainable_params(G)
        G.eval()
        x = images()

        def step():
            with torch.inference_mode():
                G(x)

    else:
        require(args.arch == "pix2pix", "--mode train is implemented for pix2pix only")
        D = reference_init(patch_gan(6)).to(device)
        params = trainable_params(G, D)
        G.train()
        D.train()
        optimizer_G = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        optimizer_D = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        real_A, real_B = images(), images()

        def step():
            pix2pix_train_iteration(G, D, optimizer_G, optimizer_D, real_A, real_B)

    ms = None if args.params_only else median_ms(step, args.warmup, args.runs, device)
    result = {"arch": args.arch, "size": size, "batch": args.batch, "threads": args.threads, "mode": args.mode, "params": params, "ms": ms, "torch": torch.__version__}
    if args.profile:
        result["profile"] = profile_by_operator(step)
    if device.type == "cuda":
        result["device"] = torch.cuda.get_device_name(device)
    return result


def main():
    parser = argparse.ArgumentParser(description="Time the PyTorch twin of a model-zoo generator (prints one JSON line).")
    parser.add_argument("--arch", required=True, choices=sorted(ARCHITECTURES))
    parser.add_argument("--size", type=int, help="input size (default: the architecture's paper size)")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mode", choices=["forward", "train"], default="forward")
    parser.add_argument("--params-only", action="store_true", help="count the parameters, skip timing (ms: null)")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cuda for a GPU reference (default: cpu)")
    parser.add_argument("--profile", action="store_true", help="add one profiled forward's self CPU time by operator")
    args = parser.parse_args()
    if args.batch < 1 or args.threads < 1 or args.warmup < 0 or args.runs < 1:
        parser.error("--batch, --threads and --runs must be ≥ 1, --warmup ≥ 0")
    # Interop threads must be set before any parallel work starts.
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    try:
        print(json.dumps(measure(args)))
    except UsageError as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
