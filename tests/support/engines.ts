// Engines on each pool kind, and event helpers, for the pool tests.
import {
  ConcurrentExecutionBackend, ProcessPoolExecutor, ThreadPoolExecutor, WorkflowEngine, type PoolOptions, type TaskEvent,
} from '../../extension';

export type PoolKind = 'threads' | 'processes';
export const POOL_KINDS: PoolKind[] = ['threads', 'processes'];

export function poolEngine(kind: PoolKind, opts: PoolOptions = {}): Promise<WorkflowEngine> {
  const executor = kind === 'threads' ? new ThreadPoolExecutor(opts) : new ProcessPoolExecutor(opts);
  return WorkflowEngine.create({ backend: new ConcurrentExecutionBackend(executor) });
}

/** Most attempts RUNNING at the same time, from an engine's events. */
export function maxRunning(events: TaskEvent[]): number {
  let running = 0;
  let max = 0;
  const sorted = [...events].sort((a, b) => a.time - b.time || (a.state === 'RUNNING' ? 1 : -1));
  for (const e of sorted) {
    if (e.state === 'RUNNING') max = Math.max(max, ++running);
    else if (e.state !== 'PENDING') running--;
  }
  return max;
}

/** Collects the engine's events. */
export function record(flow: WorkflowEngine): TaskEvent[] {
  const events: TaskEvent[] = [];
  flow.on('task', (e) => events.push(e));
  return events;
}
