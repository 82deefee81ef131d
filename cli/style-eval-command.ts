import cliProgress from 'cli-progress';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { initTf } from '../shared/tf/runtime.js';
import { animeStatisticsOptionsSchema } from '../trainer/eval/anime-statistics.js';
import { styleStatistics, StyleInputError, type ImageSetStatistics, type RawImage, type StyleStatistics } from '../trainer/eval/style-statistics.js';
import { loadFeatureNetworks } from '../trainer/feature-networks.js';
import { ModelCache, servingOptions } from '../worker/model-cache.js';
import { PredictBatcher, type BatchTicket } from '../worker/predict-batcher.js';
import { stylize } from '../worker/stylize.js';
import { CliError } from './cli-error.js';

export interface StyleEvalRequest {
  style: string;
  photosDir: string;
  animeDir: string;
  maxSide: number;
  /** The command as typed, printed in the output's header. */
  commandLine: string;
}

/**
 * `eval --style <s> --photos <dir> --anime <dir>`: runs the style's current model on the
 * photos the way the worker does (its model cache, batcher and stylize) and prints the style
 * statistics of photos, outputs and anime images as a Markdown table.
 */
export async function styleEvalCommand(req: StyleEvalRequest, config: Config, logger: Logger): Promise<void> {
  const store = new DirectoryModelStore(config.MODELS_DIR);
  const version = await store.current(req.style);
  if (!version) throw new CliError(`style "${req.style}" has no current model in ${config.MODELS_DIR} (see \`npm run cli -- models\`)`, 2);
  const runtime = await initTf(config, logger);
  const models = new ModelCache(store, logger, servingOptions(config, runtime));
  const featureNetworks = await loadFeatureNetworks(config);
  const bar = new cliProgress.SingleBar(
    { format: 'measuring |{bar}| {percentage}% | {value}/{total} images | {file}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  try {
    const loaded = await models.acquire(req.style);
    const batcher = new PredictBatcher({ maxBatch: 1, waitMs: 0, logger });
    bar.start(1, 0, { file: '' });
    const stats = await styleStatistics({
      photosDir: req.photosDir,
      animeDir: req.animeDir,
      maxSide: req.maxSide,
      limits: { maxBytes: config.MAX_INPUT_BYTES, maxPixels: config.MAX_INPUT_PIXELS },
      extractor: featureNetworks.extractor,
      translate: async (image, output) => {
        const ticket = batcher.ticket();
        // The worker's ticket, recording what the network was given and gave back.
        let network: { input: RawImage; output: RawImage } | undefined;
        const recording: BatchTicket = {
          predict: async (model, input) => {
            const predicted = await ticket.predict(model, input);
            const { width, height } = input;
            network = { input: { data: input.pixels, width, height }, output: { data: predicted, width, height } };
            return predicted;
          },
          leave: () => ticket.leave(),
        };
        try {
          const styled = await stylize(loaded, image, output, recording, config.MAX_INFERENCE_SIDE);
          if (!network) throw new Error('stylize returned without running the network');
          return { styled, network };
        } finally {
          ticket.leave();
        }
      },
      onProgress: (done, total, file) => {
        bar.setTotal(total);
        bar.update(done, { file });
      },
    });
    bar.stop();
    console.log(`# ${req.commandLine}`);
    console.log(`style ${req.style}, model ${version} (${loaded.meta.architecture}, ${loaded.meta.inputSize} px input), on ${loaded.runtime}`);
    console.log(`photos ${req.photosDir}, anime ${req.animeDir}; images measured at ≤ ${stats.maxSide} px on the longest side\n`);
    console.log(styleTable(req.style, stats));
  } catch (err) {
    bar.stop();
    if (err instanceof StyleInputError) throw new CliError(err.message, 2, { cause: err });
    throw err;
  } finally {
    featureNetworks.dispose();
    models.dispose();
  }
}

/** The statistics as a Markdown table: photos | outputs | anime, and whether the output moved toward the anime images. */
export function styleTable(style: string, stats: StyleStatistics): string {
  const { photos, outputs, anime } = stats;
  const flat = animeStatisticsOptionsSchema.parse({});
  const fixed = (digits: number) => (x: number | undefined) => (x === undefined ? '—' : x.toFixed(digits));
  const toward = (get: (s: ImageSetStatistics) => number) => {
    const [p, o, a] = [get(photos), get(outputs), get(anime)];
    return Math.abs(o - a) < Math.abs(p - a) ? 'yes' : 'no';
  };
  const kidOf = (s: ImageSetStatistics) => (s.kidToAnime ? `${s.kidToAnime.value.toFixed(4)} ± ${s.kidToAnime.std.toFixed(4)}` : '— (needs 2+ images)');
  const kidLower = photos.kidToAnime && outputs.kidToAnime ? (outputs.kidToAnime.value < photos.kidToAnime.value ? 'yes (lower)' : 'no') : '—';
  const rows: string[][] = [
    ['images', String(photos.images), String(outputs.images), String(anime.images), ''],
    ['content kept: edge correlation with the photo ↑', '—', fixed(3)(outputs.edgeCorrelation), '—', ''],
    [
      `flat fraction (no Sobel magnitude ≥ ${flat.threshold} in the ${flat.window}×${flat.window} window)`,
      fixed(3)(photos.flatFraction),
      fixed(3)(outputs.flatFraction),
      fixed(3)(anime.flatFraction),
      toward((s) => s.flatFraction),
    ],
    [`colours (${flat.colourBits} bits per channel)`, fixed(0)(photos.colours), fixed(0)(outputs.colours), fixed(0)(anime.colours), toward((s) => s.colours)],
    [`KID to the anime images (${stats.featureExtractor}) ↓`, kidOf(photos), kidOf(outputs), '—', kidLower],
    ...Object.keys(outputs.checkerboard).map((p) => [
      `checkerboard: peak / neighbourhood energy at period ${p} px, network input → output (≈ 1: none)`,
      fixed(2)(photos.checkerboard[Number(p)]),
      fixed(2)(outputs.checkerboard[Number(p)]),
      fixed(2)(anime.checkerboard[Number(p)]),
      '',
    ]),
  ];
  const header = ['metric (mean over images)', 'photos', `${style} outputs`, 'anime', 'output toward anime?'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
