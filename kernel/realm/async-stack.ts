// Node 20 only: repairs Node's async-context stack after breakOnSigint cut a microtask short.
// On Node 20 (and 22 without --experimental-async-context-frame) AsyncLocalStorage runs on promise hooks: a
// microtask interrupted inside runInContext leaves the hook's push without its pop, and the next pop aborts the
// process ("async hook stack has become corrupted"). Popping back to the id we entered with (what Node's own JS
// popAsyncContext does) keeps the kernel alive. There is no public API for it, so this reads an internal binding,
// on Node 20 alone. Node 24+ (and 22 with the flag, which the kernelspec passes) implement AsyncLocalStorage with
// AsyncContextFrame: no promise hooks, nothing to repair (measured: interrupting `await sleep(); while (true) {}`
// there leaves the kernel and AsyncLocalStorage working).
import { executionAsyncId } from 'node:async_hooks';

const major = Number(process.versions.node.split('.')[0]);
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];

/** True when AsyncLocalStorage does not use promise hooks (AsyncContextFrame). */
export const asyncContextFrame = flags.includes('--experimental-async-context-frame') ||
  (major >= 24 && !flags.includes('--no-async-context-frame'));

type Repair = { enter(): number; repair(id: number): void };

function node20Repair(): Repair {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  let aw: any;
  try {
    aw = (process as any).binding('async_wrap');
  } finally {
    process.noDeprecation = quiet;
  }
  const { kStackLength, kExecutionAsyncId, kTriggerAsyncId } = aw.constants;
  return {
    enter: executionAsyncId,
    repair(id: number) {
      const fields = aw.async_hook_fields;
      const ids = aw.async_id_fields;
      while (fields[kStackLength] > 0 && ids[kExecutionAsyncId] !== id) {
        const offset = fields[kStackLength] - 1;
        ids[kExecutionAsyncId] = aw.async_ids_stack[2 * offset];
        ids[kTriggerAsyncId] = aw.async_ids_stack[2 * offset + 1];
        aw.execution_async_resources.pop();
        fields[kStackLength] = offset;
      }
    },
  };
}

const none: Repair = { enter: () => 0, repair: () => {} };

/** What exec() calls around a breakable run. */
export const asyncStack: Repair = !asyncContextFrame && major === 20 ? node20Repair() : none;

/** Said once at start-up when interrupts inside promise callbacks are not safe on this Node. */
export function asyncStackWarning(): string | null {
  if (asyncContextFrame || major === 20) return null;
  return `Node ${process.version} without --experimental-async-context-frame: interrupting code after an await may abort the kernel; reinstall the kernelspec (flowbook install)`;
}
