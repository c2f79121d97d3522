import { performance } from 'node:perf_hooks';
import { runInGroup } from '../engine/context';
import { WorkflowEngine } from '../engine/engine';
import { Interrupted, type MagicRuntime } from './registry';
import { UsageError } from './types';

/**
 * Runs a cell body as one workflow, shared by %%flow and %%compare: every task it creates carries `group`;
 * the run ends when the body has returned AND every task of the group has settled (so the table and the
 * wall time cover tasks the body started but did not await). Interrupt cancels the group; so does a body
 * that throws, so a failed cell leaves nothing running behind it.
 */
export interface WorkflowRun {
  value: unknown;
  /** Milliseconds from start to the last task settling. */
  wall: number;
}

/** `flow` and every other live engine: a cell may create its own, and its tasks belong to the run too. */
function enginesOf(flow: WorkflowEngine): WorkflowEngine[] {
  return [...new Set([flow, ...WorkflowEngine.live()])];
}

async function settleGroup(flow: WorkflowEngine, group: string): Promise<void> {
  // Loop: blocks still running may create further tasks in the group.
  for (;;) {
    const open = enginesOf(flow).flatMap((e) => e.tasks).filter((f) => f.group === group && !f.done);
    if (!open.length) return;
    await Promise.allSettled(open.map((f) => f.promise()));
  }
}

export async function runWorkflow(rt: MagicRuntime, flow: WorkflowEngine, group: string, body: string): Promise<WorkflowRun> {
  const { signal } = rt.ctx;
  const cancel = () => {
    for (const e of enginesOf(flow)) e.cancelGroup(group);
  };
  if (signal.aborted) throw new Interrupted(`interrupted before workflow ${group} started`);
  signal.addEventListener('abort', cancel, { once: true });
  const t0 = performance.now();
  try {
    const value = await runInGroup(group, () => rt.run(body));
    await settleGroup(flow, group);
    if (signal.aborted) throw new Interrupted(`workflow ${group} interrupted`);
    return { value, wall: performance.now() - t0 };
  } catch (err) {
    cancel();
    await settleGroup(flow, group);
    throw err;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** `--engine E` of %%flow and %%compare: the engine held by variable E. */
export function engineIn(scope: Record<string, unknown>, name: string, magic: string): WorkflowEngine {
  const e = scope[name];
  if (!(e instanceof WorkflowEngine)) throw new UsageError(`%%${magic} --engine: '${name}' is not a WorkflowEngine in scope`);
  return e;
}

/** A fresh group id per run, unique within the session. */
export function newGroup(rt: MagicRuntime, prefix: string): string {
  return `${prefix}-${rt.ctx.executionCount}-${rt.session.nextGroup++}`;
}
