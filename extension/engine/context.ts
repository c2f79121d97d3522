// Where a task is created: inside which block and group. AsyncLocalStorage is entered only by blocks and
// runInGroup, so plain task calls pay a single getStore().
import { AsyncLocalStorage } from 'node:async_hooks';

export interface FlowContext {
  /** Id of the enclosing block, if any. */
  parent?: string;
  /** Called with each task created in the block (lets the block cancel its children). */
  adopt?: (child: { cancel(): boolean }) => void;
  group?: string;
}

export const flowContext = new AsyncLocalStorage<FlowContext>();

/** Runs `fn` so that every task created inside (also after awaits) carries `group` in its events. */
export function runInGroup<T>(group: string, fn: () => T): T {
  const outer = flowContext.getStore();
  return flowContext.run({ ...outer, group }, fn);
}

export function currentGroup(): string | undefined {
  return flowContext.getStore()?.group;
}
