// Load 3: 100 %%flow cells in a row, 1,000 tasks each with the live display on, stay under 300 MB of kernel RSS
// growth. The measurement is the bench's (tests/bench/reliability.bench.ts), so the figure in results.json and
// this bound come from the same code.
import { expect, test } from '@jest/globals';
import { measureCellMemory } from '../../bench/reliability.bench';

test('100 %%flow cells × 1,000 tasks: kernel RSS grows by less than 300 MB', async () => {
  const r = await measureCellMemory(100);
  console.log(
    `memory: baseline ${r.baselineMB.toFixed(0)} MB, growth ${r.growthMB.toFixed(0)} MB, ` +
      `late slope ${r.slopeMBPer100.toFixed(0)} MB/100 cells, ${r.seconds.toFixed(0)} s; every 10 cells: ${r.samplesMB.map((x) => x.toFixed(0)).join(' ')}`,
  );
  expect(r.bad).toEqual([]);
  expect(r.growthMB).toBeLessThan(300);
}, 300_000);
