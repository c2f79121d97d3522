/**
 * The task state machine as data, like dask's _TRANSITIONS_TABLE: every state change of a future goes through
 * Scheduler.transition(), which consults this table, so a late report (a worker's `started` after a cancel, a
 * result after a timeout) can never move a task backwards or out of a final state.
 */
import type { TaskState } from './events';

export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  PENDING: ['RUNNING', 'DONE', 'FAILED', 'CANCELLED'],
  RUNNING: ['DONE', 'FAILED', 'CANCELLED'],
  DONE: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  // Hot path (every task): a switch, not a lookup in the arrays.
  switch (from) {
    case 'PENDING':
      return to !== 'PENDING';
    case 'RUNNING':
      return to === 'DONE' || to === 'FAILED' || to === 'CANCELLED';
    default:
      return false;
  }
}
