import { fft2, type ComplexArray } from './fft.js';

/**
 * Kovesi's phase congruency ("Image Features From Phase Congruency", Videre 1999) with the
 * parameters and simplifications of FSIM's reference implementation (`phasecong2` inside
 * Zhang et al.'s FeatureSIM.m): log-Gabor filters at 4 scales (wavelengths 6, 12, 24, 48)
 * × 4 orientations, σ_f/f₀ 0.55, angular spread π/4/1.2, noise threshold k = 2 standard
 * deviations over the Rayleigh noise energy estimated from the smallest scale's median
 * response, divided by 1.7; the result is Σ_o Energy_o / Σ_o Σ_s A_so per pixel, in [0, 1].
 */
const SCALES = 4;
const ORIENTATIONS = 4;
const MIN_WAVELENGTH = 6;
const MULT = 2;
const SIGMA_ON_F = 0.55;
const D_THETA_ON_SIGMA = 1.2;
const NOISE_K = 2;
const EPSILON = 1e-4;

/** The filters depend only on the image size; FSIM uses one size for both images. */
interface FilterBank {
  rows: number;
  cols: number;
  /** [orientation][scale]: frequency-domain filter, origin at index 0 (MATLAB's ifftshift layout). */
  filters: Float64Array[][];
  /** [orientation]: the noise-energy estimate's filter sums, Σ_s Σ f̂_s² and Σ_{i<j} Σ f̂_i·f̂_j. */
  sumSquares: number[];
  sumCrossProducts: number[];
}

const banks = new Map<string, FilterBank>();

/** Phase congruency of a rows×cols grey image (row-major, float64). */
export function phaseCongruency(image: Float64Array, rows: number, cols: number): Float64Array {
  if (image.length !== rows * cols) throw new Error(`phaseCongruency: ${image.length} values for ${rows}×${cols}`);
  const bank = filterBank(rows, cols);
  const size = rows * cols;
  const spectrum: ComplexArray = { re: Float64Array.from(image), im: new Float64Array(size) };
  fft2(spectrum, rows, cols);
  const energyAll = new Float64Array(size);
  const amplitudeAll = new Float64Array(size);
  for (let o = 0; o < ORIENTATIONS; o++) {
    const responses: ComplexArray[] = [];
    const sumE = new Float64Array(size);
    const sumO = new Float64Array(size);
    for (let s = 0; s < SCALES; s++) {
      const filter = bank.filters[o]![s]!;
      const response: ComplexArray = { re: new Float64Array(size), im: new Float64Array(size) };
      for (let i = 0; i < size; i++) {
        response.re[i] = spectrum.re[i]! * filter[i]!;
        response.im[i] = spectrum.im[i]! * filter[i]!;
      }
      fft2(response, rows, cols, true);
      for (let i = 0; i < size; i++) {
        amplitudeAll[i] = amplitudeAll[i]! + Math.hypot(response.re[i]!, response.im[i]!);
        sumE[i] = sumE[i]! + response.re[i]!;
        sumO[i] = sumO[i]! + response.im[i]!;
      }
      responses.push(response);
    }
    // Energy: Σ_s A_s·(cos Δφ_s − |sin Δφ_s|) against the weighted mean phase.
    const energy = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const norm = Math.hypot(sumE[i]!, sumO[i]!) + EPSILON;
      const meanE = sumE[i]! / norm;
      const meanO = sumO[i]! / norm;
      let e = 0;
      for (const r of responses) {
        const even = r.re[i]!;
        const odd = r.im[i]!;
        e += even * meanE + odd * meanO - Math.abs(even * meanO - odd * meanE);
      }
      energy[i] = e;
    }
    // Noise: the smallest scale's squared amplitude is χ² with 2 DOF for Gaussian noise;
    // its median gives the mean, and divided by the filter's energy, the noise power.
    const smallest = responses[0]!;
    const squared = Float64Array.from({ length: size }, (_, i) => smallest.re[i]! ** 2 + smallest.im[i]! ** 2);
    const meanSquared = -median(squared) / Math.log(0.5);
    const smallestFilter = bank.filters[o]![0]!;
    const filterEnergy = smallestFilter.reduce((sum, f) => sum + f * f, 0);
    const noisePower = meanSquared / filterEnergy;
    const noiseEnergySquared = 2 * noisePower * bank.sumSquares[o]! + 4 * noisePower * bank.sumCrossProducts[o]!;
    const tau = Math.sqrt(noiseEnergySquared / 2);
    const noiseEnergy = tau * Math.sqrt(Math.PI / 2);
    const noiseSigma = Math.sqrt((2 - Math.PI / 2) * tau * tau);
    const threshold = (noiseEnergy + NOISE_K * noiseSigma) / 1.7;
    for (let i = 0; i < size; i++) energyAll[i] = energyAll[i]! + Math.max(energy[i]! - threshold, 0);
  }
  return energyAll.map((e, i) => e / amplitudeAll[i]!);
}

function filterBank(rows: number, cols: number): FilterBank {
  const key = `${rows}x${cols}`;
  const cached = banks.get(key);
  if (cached) return cached;
  const size = rows * cols;
  // Normalised frequency coordinates in [-0.5, 0.5], then ifftshift'ed so that the zero
  // frequency sits at index 0, as the FFT lays it out.
  const axis = (n: number) => Array.from({ length: n }, (_, i) => (n % 2 ? (i - (n - 1) / 2) / (n - 1) : (i - n / 2) / n));
  const xs = axis(cols);
  const ys = axis(rows);
  const shifted = (i: number, n: number) => (i + Math.floor(n / 2)) % n;
  const radius = new Float64Array(size);
  const theta = new Float64Array(size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = xs[shifted(c, cols)]!;
      const y = ys[shifted(r, rows)]!;
      radius[r * cols + c] = Math.hypot(x, y);
      theta[r * cols + c] = Math.atan2(-y, x);
    }
  }
  // Butterworth low-pass (cutoff 0.45, order 15) so no filter reaches the FFT's corners.
  const lowPass = radius.map((rad) => 1 / (1 + (rad / 0.45) ** 30));
  radius[0] = 1; // avoids log(0); the filters are zeroed there below
  const logGabor = Array.from({ length: SCALES }, (_, s) => {
    const centre = 1 / (MIN_WAVELENGTH * MULT ** s);
    const g = radius.map((rad, i) => Math.exp(-(Math.log(rad / centre) ** 2) / (2 * Math.log(SIGMA_ON_F) ** 2)) * lowPass[i]!);
    g[0] = 0;
    return g;
  });
  const thetaSigma = Math.PI / ORIENTATIONS / D_THETA_ON_SIGMA;
  const filters: Float64Array[][] = [];
  const sumSquares: number[] = [];
  const sumCrossProducts: number[] = [];
  for (let o = 0; o < ORIENTATIONS; o++) {
    const angle = (o * Math.PI) / ORIENTATIONS;
    const spread = theta.map((t) => {
      const ds = Math.sin(t) * Math.cos(angle) - Math.cos(t) * Math.sin(angle);
      const dc = Math.cos(t) * Math.cos(angle) + Math.sin(t) * Math.sin(angle);
      return Math.exp(-(Math.atan2(ds, dc) ** 2) / (2 * thetaSigma * thetaSigma));
    });
    const perScale = logGabor.map((g) => g.map((v, i) => v * spread[i]!));
    filters.push(perScale);
    // The filters in the spatial domain (real part, rescaled by √(rows·cols) to match power).
    const spatial = perScale.map((f) => {
      const x: ComplexArray = { re: Float64Array.from(f), im: new Float64Array(size) };
      fft2(x, rows, cols, true);
      return x.re.map((v) => v * Math.sqrt(size));
    });
    let squares = 0;
    let cross = 0;
    for (let i = 0; i < size; i++) {
      for (let a = 0; a < SCALES; a++) {
        squares += spatial[a]![i]! ** 2;
        for (let b = a + 1; b < SCALES; b++) cross += spatial[a]![i]! * spatial[b]![i]!;
      }
    }
    sumSquares.push(squares);
    sumCrossProducts.push(cross);
  }
  const bank = { rows, cols, filters, sumSquares, sumCrossProducts };
  banks.set(key, bank);
  return bank;
}

/** MATLAB's median: the mean of the two middle values for an even count. */
function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
