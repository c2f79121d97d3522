// Load 2: 1,000 executable tasks with a concurrency bound of 8 never have more than 8 children alive.
import { afterEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import { ConcurrentExecutionBackend, WorkflowEngine } from '../../../extension';
import { childPids, tempDir } from './helpers';

const TASKS = 1000;
const BOUND = 8;
let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

describe('backpressure', () => {
  test(`${TASKS} executables, maxProcesses ${BOUND}: at most ${BOUND} alive at once, and the bound is reached`, async () => {
    flow = await WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(undefined, { maxProcesses: BOUND }) });
    const dir = tempDir('bp');
    fs.mkdirSync(`${dir}/live`);
    // Each child creates its marker first and removes it last, so a marker exists only while its child lives;
    // the count it takes on start therefore never exceeds the children alive at that moment. Shell builtins
    // only, but sleep and rm: spawning is what limits throughput on 2 cores.
    const run = flow.executableTask(
      (i: number) => `: > ${dir}/live/$$; set -- ${dir}/live/*; echo $# > ${dir}/n.${i}; sleep ${i < 2 * BOUND ? 1 : 0.05}; rm ${dir}/live/$$; echo ${i}`,
      { name: 'marker' },
    );
    // Also sample this process's children from outside, as a second, independent measure.
    const before = new Set(childPids());
    let sampledMax = 0;
    const sample = () => childPids().filter((p) => !before.has(p)).length;
    const sampler = setInterval(() => (sampledMax = Math.max(sampledMax, sample())), 25);
    const t0 = Date.now();
    let results: string[];
    try {
      results = await Promise.all(Array.from({ length: TASKS }, (_, i) => run(i)));
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - t0) / 1000;
    expect(results).toEqual(Array.from({ length: TASKS }, (_, i) => String(i)));
    const counts = Array.from({ length: TASKS }, (_, i) => Number(fs.readFileSync(`${dir}/n.${i}`, 'utf8')));
    const maxLive = Math.max(...counts);
    console.log(`backpressure: max live ${maxLive} (markers), ${sampledMax} (sampled); ${TASKS} tasks in ${seconds.toFixed(1)} s`);
    expect(maxLive).toBeLessThanOrEqual(BOUND);
    expect(sampledMax).toBeLessThanOrEqual(BOUND);
    // The measure can see the bound: the first 16 children hold for 1 s, so the pool is surely full then.
    expect(maxLive).toBe(BOUND);
    expect(fs.readdirSync(`${dir}/live`)).toEqual([]);
  });
});
