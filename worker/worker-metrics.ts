import * as tf from '@tensorflow/tfjs';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Timings } from '../shared/queue/contracts.js';

/** Prometheus metrics of one worker process. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly completed: Counter<'style'>;
  private readonly failed: Counter<'reason'>;
  private readonly stageSeconds: Histogram<'stage'>;
  private readonly modelLoadSeconds: Histogram<'style'>;
  private readonly predictBatchImages: Histogram;
  private readonly servedModels: Gauge<'style' | 'version' | 'runtime'>;
  /** The labels each style's served model is reported under, to drop them when it is replaced. */
  private readonly servedLabels = new Map<string, { style: string; version: string; runtime: string }>();

  constructor(queue: Queue, backend: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'animebot_worker_' });
    this.completed = new Counter({ name: 'animebot_jobs_completed_total', help: 'Translate jobs completed', labelNames: ['style'], registers: [this.registry] });
    this.failed = new Counter({ name: 'animebot_jobs_failed_total', help: 'Translate job attempts that failed, by reason code', labelNames: ['reason'], registers: [this.registry] });
    this.stageSeconds = new Histogram({
      name: 'animebot_job_stage_seconds',
      help: 'Time per job stage: queue_wait, decode, inference, encode, total',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
    this.modelLoadSeconds = new Histogram({
      name: 'animebot_model_load_seconds',
      help: 'Model load and warm-up time',
      labelNames: ['style'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    this.predictBatchImages = new Histogram({
      name: 'animebot_predict_batch_images',
      help: 'Images per model predict (dynamic batching; 1 when batching is off or no other job came in time)',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [this.registry],
    });
    new Gauge({
      name: 'animebot_tf_tensors',
      help: 'tfjs tensors alive (flat over time unless something leaks them)',
      registers: [this.registry],
      collect() {
        this.set(tf.memory().numTensors);
      },
    });
    new Gauge({
      name: 'animebot_tf_wasm_heap_bytes',
      help: "Size of the wasm backend's heap (it grows to the largest batch and never shrinks); 0 on other backends",
      registers: [this.registry],
      collect() {
        this.set(wasmHeapBytes());
      },
    });
    new Gauge({ name: 'animebot_backend_info', help: 'tfjs backend in use', labelNames: ['backend'], registers: [this.registry] }).set({ backend }, 1);
    this.servedModels = new Gauge({
      name: 'animebot_model_runtime_info',
      help: 'The model version each style is served by, and the runtime that runs it (ONNX Runtime or the tfjs backend)',
      labelNames: ['style', 'version', 'runtime'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'animebot_queue_depth',
      help: 'Translate jobs by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  jobCompleted(style: string, t: Timings): void {
    this.completed.inc({ style });
    this.stageSeconds.observe({ stage: 'queue_wait' }, t.queueWaitMs / 1000);
    this.stageSeconds.observe({ stage: 'decode' }, t.decodeMs / 1000);
    this.stageSeconds.observe({ stage: 'inference' }, t.inferenceMs / 1000);
    this.stageSeconds.observe({ stage: 'encode' }, t.encodeMs / 1000);
    this.stageSeconds.observe({ stage: 'total' }, t.totalMs / 1000);
  }

  jobFailed(reason: string): void {
    this.failed.inc({ reason });
  }

  modelLoaded(style: string, version: string, runtime: string, seconds: number): void {
    this.modelLoadSeconds.observe({ style }, seconds);
    const previous = this.servedLabels.get(style);
    if (previous) this.servedModels.remove(previous);
    const labels = { style, version, runtime };
    this.servedLabels.set(style, labels);
    this.servedModels.set(labels, 1);
  }

  batchPredicted(images: number): void {
    this.predictBatchImages.observe(images);
  }
}

function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  const backend = tf.backend() as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? 0;
}
