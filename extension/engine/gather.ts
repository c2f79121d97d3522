/**
 * gather(): Promise.all for futures. Futures notify it directly as they settle (a Waiter), so waiting for
 * 100k tasks costs no promise per task. Plain promises and values are accepted too.
 */
import { TaskFuture, type Waiter } from './future';

/** Resolves with every item's value, in order; rejects with the first failure. */
export function gather<T extends readonly unknown[] | []>(items: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  return new Promise((resolve, reject) => {
    let left = 1;
    let failed = false;
    const fail = (err: unknown) => {
      if (!failed) (failed = true), reject(err);
    };
    const one = () => {
      if (--left === 0 && !failed) resolve(out.map((x) => (x instanceof TaskFuture ? x.value : x)) as any);
    };
    const waiter: Waiter = { settled: (f) => (f.state === 'DONE' ? one() : fail(f.error)) };
    const values = items as readonly unknown[];
    const out = values.slice();
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x instanceof TaskFuture) {
        if (x.state === 'DONE') continue;
        const run = x._s;
        if (run === null) return fail(x.error); // FAILED or CANCELLED
        left++;
        run.waiters = run.waiters === null ? waiter : Array.isArray(run.waiters) ? [...run.waiters, waiter] : [run.waiters, waiter];
      } else if (x !== null && typeof (x as PromiseLike<unknown>)?.then === 'function') {
        left++;
        Promise.resolve(x).then((v) => ((out[i] = v), one()), fail);
      }
    }
    one();
  });
}
