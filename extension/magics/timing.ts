import { performance } from 'node:perf_hooks';
import type { OptionDef } from './args';
import { Interrupted, type MagicDef, type MagicRuntime, type Thunk } from './registry';
import { formatTime, TimeitResult } from './timefmt';
import { UsageError } from './types';

/** %time / %%time and %timeit / %%timeit, printing exactly what IPython prints. */

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new Interrupted('interrupted');
}

/** Run `fn`, then print CPU and wall time like IPython (also when it throws). */
async function timeOnce(rt: MagicRuntime, fn: Thunk): Promise<unknown> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  try {
    return await fn();
  } finally {
    const wall = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const user = cpu.user / 1e6;
    const sys = cpu.system / 1e6;
    rt.ctx.out.stdout(
      `CPU times: user ${formatTime(user)}, sys: ${formatTime(sys)}, total: ${formatTime(user + sys)}\n` +
        `Wall time: ${formatTime(wall)}\n`,
    );
  }
}

export const time: MagicDef = {
  name: 'time',
  help: 'Time one execution of a statement or cell (CPU and wall time); returns its value.',
  code: true,
  cellArgs: { max: 0 },
  line: (rt, _a, thunk) => timeOnce(rt, thunk ?? (async () => undefined)),
  cell: (rt, _a, body) => timeOnce(rt, () => rt.run(body)),
};

/** Seconds for `number` sequential awaited calls. */
async function timeLoops(fn: Thunk, number: number, signal: AbortSignal): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < number; i++) {
    const r = fn() as PromiseLike<unknown> | undefined;
    if (r && typeof r.then === 'function') await r;
    if (signal.aborted) break;
  }
  const dt = (performance.now() - t0) / 1000;
  checkAbort(signal);
  return dt;
}

/** timeit.Timer.autorange: 1, 2, 5, 10, 20, 50, ... loops until one run takes at least 0.2 s. */
async function autorange(fn: Thunk, signal: AbortSignal): Promise<number> {
  for (let i = 1; ; i *= 10) {
    for (const j of [1, 2, 5]) {
      const number = i * j;
      if ((await timeLoops(fn, number, signal)) >= 0.2) return number;
    }
  }
}

async function timeit(rt: MagicRuntime, opts: Record<string, unknown>, fn: Thunk, compileTime: number) {
  const signal = rt.ctx.signal;
  const repeat = (opts.repeat as number | undefined) ?? 7;
  const precision = (opts.precision as number | undefined) ?? 3;
  let number = (opts.number as number | undefined) ?? 0;
  if (repeat < 1 || number < 0) throw new UsageError('%timeit: -r must be >= 1 and -n >= 0');
  if (number === 0) number = await autorange(fn, signal);
  const runs: number[] = [];
  for (let r = 0; r < repeat; r++) runs.push(await timeLoops(fn, number, signal));
  const best = Math.min(...runs) / number;
  const worst = Math.max(...runs) / number;
  const result = new TimeitResult(number, repeat, best, worst, runs, compileTime, precision);
  if (!opts.quiet) {
    if (worst > 4 * best && best > 0 && worst > 1e-6) {
      rt.ctx.out.stdout(
        `The slowest run took ${(worst / best).toFixed(2)} times longer than the fastest. ` +
          'This could mean that an intermediate result is being cached.\n',
      );
    }
    rt.ctx.out.stdout(`${result}\n`);
  }
  return opts.output ? result : undefined;
}

const TIMEIT_OPTIONS: OptionDef[] = [
  { name: 'number', short: 'n', type: 'int', help: 'loops per run (default: auto-range to >= 0.2 s)' },
  { name: 'repeat', short: 'r', type: 'int', help: 'runs (default 7)' },
  { name: 'precision', short: 'p', type: 'int', help: 'significant digits (default 3)' },
  { name: 'quiet', short: 'q', type: 'boolean', help: 'print nothing' },
  { name: 'output', short: 'o', type: 'boolean', help: 'return a TimeitResult' },
];

export const timeitMagic: MagicDef = {
  name: 'timeit',
  help: 'Time a statement or cell with auto-ranging: %timeit [-n N] [-r R] [-p P] [-q] [-o] stmt.',
  code: true,
  args: { options: TIMEIT_OPTIONS },
  cellArgs: { options: TIMEIT_OPTIONS, raw: true },
  line: (rt, a, thunk) => timeit(rt, a.opts, thunk ?? (async () => undefined), 0),
  async cell(rt, a, body) {
    // The args line is setup code (run once); the body is compiled once into a function and then called.
    if (a.rest.trim()) await rt.run(a.rest);
    const t0 = performance.now();
    const fn = (await rt.run(`(${/\bawait\b/.test(body) ? 'async ' : ''}() => {\n${body}\n})`)) as Thunk;
    return timeit(rt, a.opts, fn, (performance.now() - t0) / 1000);
  },
};
