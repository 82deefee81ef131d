import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, it } from 'node:test';
import { Worker } from 'bullmq';
import { flowProducer } from '../../shared/queue/queues.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { submitTranslation, translationOutcome, type TranslationOutcome } from '../../shared/queue/translation-requests.js';
import { makePhoto } from '../helpers/images.js';
import { testConfig, testProducer, testWorker } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { tinyModelStore } from '../helpers/tiny-model.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await redis.stop();
});

it('a worker killed with SIGKILL mid-job: a second worker completes the job after stall detection, delivered once', async () => {
  const { store } = await tinyModelStore(['sketch'], 64);
  const env = { JOB_LOCK_MS: '1500', STALLED_INTERVAL_MS: '1000' };
  const config = testConfig(env);
  const producer = await testProducer(redis.url, config);
  const flow = flowProducer(redisOptions(redis.url), config);

  const first = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    env: { ...process.env, ...env, REDIS_URL: redis.url, MODELS_DIR: store.root, TF_BACKEND: 'cpu', HEALTH_PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const firstExited = new Promise((resolve) => first.once('exit', resolve));

  // Kill the first worker as soon as it reports progress on the job: it holds the job's lock.
  const killedMidJob = new Promise<void>((resolve) => {
    producer.events.on('progress', () => {
      if (first.exitCode === null && first.signalCode === null) {
        first.kill('SIGKILL');
        resolve();
      }
    });
  });
  const inputBlob = await producer.blobs.put(await makePhoto(64, 64));
  const { translateJobId } = await submitTranslation(flow, config, { platform: 'cli', inputBlob, style: 'sketch' }, { chat: 'test' });
  await killedMidJob;
  await firstExited;
  assert.equal((await producer.queue.getJob(translateJobId))?.finishedOn, undefined, 'the job did not finish before the kill');

  const deliveries: TranslationOutcome[] = [];
  let firstDelivery: () => void = () => {};
  const delivered = new Promise<void>((resolve) => (firstDelivery = resolve));
  const delivery = new Worker(
    queueNames.deliver('cli'),
    async (job) => {
      deliveries.push(await translationOutcome(job));
      firstDelivery();
    },
    { connection: redisOptions(redis.url), prefix: config.QUEUE_PREFIX },
  );
  const second = await testWorker(redis.url, config, store);
  await delivered;
  // Give a duplicate delivery time to show up, were there one.
  await new Promise((r) => setTimeout(r, 2500));
  await second.close();
  await delivery.close();
  await flow.close();
  await producer.close();

  assert.equal(deliveries.length, 1);
  const outcome = deliveries[0]!;
  assert.ok(outcome.ok, 'the job succeeded');
  assert.equal(outcome.result.style, 'sketch');
});
