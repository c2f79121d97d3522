// Pools never run a task twice: crashes, cancels and cancel storms, counted by side effects in a file.
import { afterEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskCancelledError, WorkerCrashError, type WorkflowEngine } from '../../../extension';
import { POOL_KINDS, poolEngine } from '../../support/engines';

let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

/** Each run of a task appends its index to `file` (O_APPEND: one line per run, even from several workers). */
function ledger(): { file: string; runs(): Map<number, number> } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowbook-runs-')), 'runs');
  fs.writeFileSync(file, '');
  return {
    file,
    runs: () => {
      const m = new Map<number, number>();
      for (const l of fs.readFileSync(file, 'utf8').split('\n')) if (l) m.set(Number(l), (m.get(Number(l)) ?? 0) + 1);
      return m;
    },
  };
}

describe.each(POOL_KINDS)('%s pool: nothing runs twice', (kind) => {
  test('a task that exits in a batch of sync tasks fails alone; the others run once and succeed', async () => {
    flow = await poolEngine(kind, { maxWorkers: 2 });
    const { file, runs } = ledger();
    const work = flow.functionTask((i: number, f: string) => {
      require('node:fs').appendFileSync(f, `${i}\n`);
      if (i === 17) process.exit(1);
      return i * 2;
    }, { name: 'work' });
    const settled = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => work(i, file)));
    const failed = settled.flatMap((s, i) => (s.status === 'rejected' ? [[i, s.reason]] : []));
    expect(failed.map(([i]) => i)).toEqual([17]);
    expect(failed[0][1]).toBeInstanceOf(WorkerCrashError);
    expect([...runs().values()].every((n) => n === 1)).toBe(true);
    expect(runs().size).toBe(60);
  });

  test('cancelling a spinning task re-runs nothing: started neighbours fail, unstarted ones run once', async () => {
    flow = await poolEngine(kind, { maxWorkers: 1 });
    const { file, runs } = ledger();
    const work = flow.functionTask(async (i: number, f: string) => {
      require('node:fs').appendFileSync(f, `${i}\n`);
      if (i === 3) for (;;);
      await new Promise((r) => setTimeout(r, 20));
      return i;
    }, { name: 'work' });
    const fs_ = Array.from({ length: 12 }, (_, i) => work(i, file));
    await new Promise((r) => setTimeout(r, 300));
    expect(fs_[3].cancel()).toBe(true);
    const settled = await Promise.allSettled(fs_);
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(TaskCancelledError);
    for (const [i, n] of runs()) expect([i, n]).toEqual([i, 1]);
    // Every task that succeeded ran exactly once; every one that failed with its worker had started.
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') expect(runs().get(i)).toBe(1);
      else if (i !== 3) {
        expect(s.reason).toBeInstanceOf(WorkerCrashError);
        expect(runs().get(i)).toBe(1);
      }
    });
    expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThan(0);
  });

  test('cancelling tasks blocked in a synchronous call settles every one, also when the body ends first', async () => {
    flow = await poolEngine(kind, { maxWorkers: 2 });
    const blk = flow.functionTask(() => require('node:child_process').execFileSync('sleep', ['0.3']).toString(), { name: 'blk' });
    const fs_ = Array.from({ length: 10 }, () => blk());
    await new Promise((r) => setTimeout(r, 150));
    for (const f of fs_) f.cancel();
    const settled = await Promise.allSettled(fs_);
    for (const s of settled) expect((s as PromiseRejectedResult).reason).toBeInstanceOf(TaskCancelledError);
  });

  test('cancel storm: 300 tasks, a third cancelled at random moments; no task body runs twice', async () => {
    flow = await poolEngine(kind, { maxWorkers: 2 });
    const { file, runs } = ledger();
    const work = flow.functionTask(async (i: number, f: string) => {
      require('node:fs').appendFileSync(f, `${i}\n`);
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, i % 7));
      else { const end = Date.now() + (i % 4); while (Date.now() < end); }
      return i;
    }, { name: 'storm' });
    const futures = Array.from({ length: 300 }, (_, i) => work(i, file));
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const victims = futures.filter(() => rand() < 1 / 3);
    for (const f of victims) {
      await new Promise((r) => setTimeout(r, rand() * 8));
      f.cancel();
    }
    const settled = await Promise.allSettled(futures);
    const counts = runs();
    for (const n of counts.values()) expect(n).toBe(1);
    const cancelled = new Set(victims);
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') return expect(counts.get(i)).toBe(1);
      // Only a cancelled task is cancelled; any other failure is a neighbour that had started on a worker stopped
      // for a cancelled synchronous body (the documented cost, docs/engine.md): it ran once and is not re-run.
      if (s.reason instanceof TaskCancelledError) return expect([i, cancelled.has(futures[i])]).toEqual([i, true]);
      expect([i, s.reason]).toEqual([i, expect.any(WorkerCrashError)]);
      expect([i, counts.get(i)]).toEqual([i, 1]);
    });
    // How many neighbours a stop takes depends on what overlapped it (processes: up to 32 async tasks per
    // worker): 66 of ~195 were seen on this 2-core machine, so the old bound of 40 failed about one run in four.
    const done = settled.filter((s) => s.status === 'fulfilled').length;
    expect(done).toBeGreaterThanOrEqual((300 - victims.length) / 2);
  });
});
