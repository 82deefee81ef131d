import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { parse } from 'yaml';
import { durableRedisArgs } from '../../shared/process/local-redis.js';

interface Compose {
  services: Record<string, { command?: string[]; build?: unknown; image?: string; deploy?: { resources?: { reservations?: { devices?: { capabilities?: string[] }[] } } } }>;
}

it('docker-compose: every service command is a real script of the project, redis persists, workers reserve a GPU', async () => {
  const compose = parse(await readFile('docker-compose.yml', 'utf8')) as Compose;
  const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
  assert.deepEqual(Object.keys(compose.services).sort(), ['bot', 'redis', 'trainer', 'worker']);
  for (const [name, service] of Object.entries(compose.services)) {
    if (name === 'redis') {
      assert.deepEqual(service.command, ['redis-server', ...durableRedisArgs], "redis persists as npm start's local server does");
      continue;
    }
    const [npm, run, script] = service.command ?? [];
    assert.equal(`${npm} ${run}`, 'npm run', `${name} runs an npm script`);
    const body = pkg.scripts[script ?? ''];
    assert.ok(body, `${name}: npm script "${script}" exists`);
    const file = /tsx (\S+\.ts)/.exec(body)?.[1];
    assert.ok(file, `${name}: script runs a TypeScript file`);
    await access(file);
  }
  for (const gpuService of ['worker', 'trainer']) {
    const devices = compose.services[gpuService]?.deploy?.resources?.reservations?.devices ?? [];
    assert.ok(
      devices.some((d) => d.capabilities?.includes('gpu')),
      `${gpuService} reserves a GPU`,
    );
  }
  assert.match(await readFile('Dockerfile', 'utf8'), /FROM nvidia\/cuda:11\.2[\d.]*-cudnn8/);
});
