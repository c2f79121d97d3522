// Repairs Node's async-context stack after vm breakOnSigint cut a microtask short.
// Measured: interrupting a promise continuation inside runInContext leaves the promise hook's push without its
// pop (AsyncLocalStorage enables promise hooks), and the next pop aborts the process with
// "async hook stack has become corrupted". Popping back to the id we entered with (what Node's own JS
// popAsyncContext does, entry by entry) keeps the kernel alive and ALS correct; verified in tests.
import { executionAsyncId } from 'node:async_hooks';
import { nodeBinding } from './node-binding';

const aw = nodeBinding('async_wrap');
const { kStackLength, kExecutionAsyncId, kTriggerAsyncId } = aw.constants;

export function currentId(): number {
  return executionAsyncId();
}

export function popTo(id: number): void {
  const fields = aw.async_hook_fields;
  const ids = aw.async_id_fields;
  while (fields[kStackLength] > 0 && ids[kExecutionAsyncId] !== id) {
    const offset = fields[kStackLength] - 1;
    ids[kExecutionAsyncId] = aw.async_ids_stack[2 * offset];
    ids[kTriggerAsyncId] = aw.async_ids_stack[2 * offset + 1];
    aw.execution_async_resources.pop();
    fields[kStackLength] = offset;
  }
}
