// Load 1: 10,000 function tasks in a seeded random DAG, 5% failing. Each failure and each dependent's
// DependencyFailureError is reported exactly once; every runnable task runs exactly once; the tally matches
// the DAG evaluated offline.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  ConcurrentExecutionBackend, DependencyFailureError, ThreadPoolExecutor, WorkflowEngine, type Backend, type TaskEvent,
} from '../../../extension';
import { prng } from './helpers';

const N = 10_000;

interface Dag {
  deps: number[][];
  fails: boolean[];
  /** Offline outcome: 'ok' runs and succeeds, 'fail' runs and throws, 'dep' never runs. */
  expected: ('ok' | 'fail' | 'dep')[];
}

function makeDag(seed: number): Dag {
  const rnd = prng(seed);
  const deps: number[][] = [];
  const fails: boolean[] = [];
  const expected: Dag['expected'] = [];
  for (let i = 0; i < N; i++) {
    // 0..3 dependencies, biased to recent tasks so long chains form.
    const k = i === 0 ? 0 : Math.floor(rnd() * 4);
    const d = new Set<number>();
    for (let j = 0; j < k; j++) d.add(Math.max(0, i - 1 - Math.floor(rnd() * rnd() * Math.min(i, 500))));
    deps.push([...d]);
    fails.push(rnd() < 0.05);
    expected.push(deps[i].some((x) => expected[x] !== 'ok') ? 'dep' : fails[i] ? 'fail' : 'ok');
  }
  return { deps, fails, expected };
}

let flow: WorkflowEngine | undefined;
afterEach(async () => {
  await flow?.shutdown();
  flow = undefined;
});

/** Builds the DAG on `backend`, counts events, rejections and side effects, returns the per-task tally. */
async function runDag(dag: Dag, backend: Backend, node: (i: number, fail: boolean, runs: Int32Array, ...deps: number[]) => unknown, runs: Int32Array) {
  flow = await WorkflowEngine.create({ backend });
  const events = new Map<string, TaskEvent[]>();
  flow.on('task', (e) => {
    if (e.state === 'DONE' || e.state === 'FAILED' || e.state === 'CANCELLED') {
      const list = events.get(e.id) ?? [];
      list.push(e);
      events.set(e.id, list);
    }
  });
  const task = flow.functionTask(node, { name: 'node' });
  const futures: ReturnType<typeof task>[] = [];
  for (let i = 0; i < N; i++) futures.push(task(i, dag.fails[i], runs, ...dag.deps[i].map((x) => futures[x] as unknown as number)));
  const index = new Map(futures.map((f, i) => [f.id, i]));

  const rejections = new Int32Array(N);
  const errors: unknown[] = new Array(N);
  const settled = await Promise.allSettled(
    futures.map((f, i) => f.then(undefined, (e) => ((rejections[i]++, (errors[i] = e)), Promise.reject(e)))),
  );

  // Mismatches are collected, then asserted once: 10,000 expect() calls would bury the first bad task.
  const problems: string[] = [];
  const check = (i: number, what: string, got: unknown, want: unknown) => got !== want && problems.push(`task ${i}: ${what} ${got}, want ${want}`);
  const tally = { ok: 0, fail: 0, dep: 0 };
  for (let i = 0; i < N; i++) {
    const want = dag.expected[i];
    tally[want]++;
    const evs = events.get(futures[i].id) ?? [];
    check(i, 'final events', evs.length, 1);
    check(i, 'runs', runs[i], want === 'dep' ? 0 : 1);
    check(i, 'state', evs[0]?.state, want === 'ok' ? 'DONE' : 'FAILED');
    check(i, 'rejections', rejections[i], want === 'ok' ? 0 : 1);
    check(i, 'settled', settled[i].status, want === 'ok' ? 'fulfilled' : 'rejected');
    const err = errors[i] as (Error & { dependencyId?: string }) | undefined;
    if (want === 'fail') check(i, 'error', err?.message, `node ${i} failed`);
    if (want === 'dep') {
      check(i, 'is DependencyFailureError', err instanceof DependencyFailureError, true);
      // The dependency it names is a direct one, and one that did not succeed.
      const dep = index.get(String(err?.dependencyId));
      check(i, 'names a failed direct dependency', dep !== undefined && dag.deps[i].includes(dep) && dag.expected[dep] !== 'ok', true);
    }
  }
  expect(problems.slice(0, 20)).toEqual([]);
  const measured = { ok: 0, fail: 0, dep: 0 };
  for (const f of futures) {
    if (f.state === 'DONE') measured.ok++;
    else if (f.error instanceof DependencyFailureError) measured.dep++;
    else measured.fail++;
  }
  expect(measured).toEqual(tally);
  return tally;
}

describe('10,000 tasks, random DAG, 5% failures', () => {
  const dag = makeDag(20261125);

  test('the offline DAG has failures, cascades and successes to check', () => {
    const count = (s: string) => dag.expected.filter((x) => x === s).length;
    expect(count('fail')).toBeGreaterThan(200);
    expect(count('dep')).toBeGreaterThan(200);
    expect(count('ok')).toBeGreaterThan(1000);
  });

  test('in the event loop: sync and async tasks', async () => {
    const runs = new Int32Array(N);
    const node = async (i: number, fail: boolean, r: Int32Array, ...deps: number[]) => {
      r[i]++;
      if (i % 2) await null; // half the tasks settle a microtask later
      if (fail) throw new Error(`node ${i} failed`);
      return deps.length;
    };
    const tally = await runDag(dag, new ConcurrentExecutionBackend(), node, runs);
    console.log(`10k DAG in-loop tally: ${JSON.stringify(tally)}`);
  });

  test('on the thread pool: side effects counted in shared memory', async () => {
    // An Int32Array over a SharedArrayBuffer is shared with the worker threads, not copied.
    const runs = new Int32Array(new SharedArrayBuffer(4 * N));
    function node(i: number, fail: boolean, r: Int32Array, ...deps: number[]): number {
      Atomics.add(r, i, 1);
      if (fail) throw new Error(`node ${i} failed`);
      return deps.length;
    }
    await runDag(dag, new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: 2 })), node, runs);
  });
});
