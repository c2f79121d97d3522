// Blocks: a task whose body is a workflow of its own. It runs in the host (never on a backend), is RUNNING while
// its body runs, adopts the tasks its body creates, and cancels the unfinished ones when it fails or is cancelled.
import type { TaskFuture, TaskRun } from './future';
import type { TaskState } from './events';
import type { TaskDef } from './types';
import { flowContext, type FlowContext } from './context';
import { callUser } from './realm';
import { TaskTimeoutError } from './errors';

export type Settled = 'DONE' | 'FAILED' | 'CANCELLED';

/** What a block needs of its scheduler: the one transition, closing its attempt, and settling it. */
export interface BlockOwner {
  transition(f: TaskFuture<any>, to: TaskState, time: number): boolean;
  closeAttempt(f: TaskFuture<any>, attempt: number, state: TaskState, now: number, err?: unknown): void;
  finish(f: TaskFuture<any>, state: Settled, value: unknown, now: number): void;
}

export function runBlock(owner: BlockOwner, f: TaskFuture<any>, run: TaskRun, def: TaskDef, args: unknown[]): void {
  const now = performance.now();
  run.extra().children = [];
  f._attempt = 1;
  f._firstSubmit = now;
  f.started = now;
  owner.transition(f, 'RUNNING', now);
  if (def.timeoutMs !== undefined && def.timeoutMs > 0) {
    run.extra().timer = setTimeout(() => endBlock(owner, f, 'FAILED', new TaskTimeoutError(f.name, def.timeoutMs!)), def.timeoutMs);
  }
  const ctx: FlowContext = { parent: f.id, group: f.group, adopt: (c) => f._s?.x?.children?.push(c as TaskFuture<any>) };
  let p: Promise<unknown>;
  try {
    p = Promise.resolve(flowContext.run(ctx, () => callUser(def.fn, args)));
  } catch (err) {
    p = Promise.reject(err);
  }
  p.then((v) => endBlock(owner, f, 'DONE', v), (e) => endBlock(owner, f, 'FAILED', e));
}

export function endBlock(owner: BlockOwner, f: TaskFuture<any>, state: Settled, value: unknown): void {
  const run = f._s;
  if (run === null) return; // settled already
  if (state !== 'DONE') for (const c of run.x?.children ?? []) if (!c.done) c.cancel();
  const now = performance.now();
  owner.closeAttempt(f, 1, state, now, state === 'DONE' ? undefined : value);
  if (run.x) run.x.children = null;
  owner.finish(f, state, value, now);
}
