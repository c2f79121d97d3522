// A future's state change as the plain event that listeners get (events.ts); built only when someone listens.
import type { TaskEvent, TaskState } from './events';
import type { TaskFuture } from './future';
import { DependencyFailureError } from './errors';
import { errorMessage } from './realm';

export function taskEvent(f: TaskFuture<unknown>, state: TaskState, time: number): TaskEvent {
  const e: TaskEvent = { id: f.id, name: f.name, kind: f.kind, state, backend: f.backend, time, attempt: f._attempt || 1 };
  if (state === 'FAILED' || state === 'CANCELLED') e.error = errorMessage(f.error);
  if (f.error instanceof DependencyFailureError) e.dependency = f.error.dependencyId;
  if (f.parent !== undefined) e.parent = f.parent;
  if (f.group !== undefined) e.group = f.group;
  const x = f._s?.x;
  if (state === 'RUNNING') {
    if (x?.slot) e.slot = x.slot;
    if (x?.queuedAt !== undefined) e.queuedAt = x.queuedAt;
  }
  if ((state === 'RUNNING' || state === 'PENDING') && x?.detail) e.detail = x.detail;
  return e;
}
