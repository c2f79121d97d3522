// The task registry an engine keeps: every unfinished future, and finished ones until there are 10,000 (a
// notebook session runs millions of tasks: finished ones are dropped in amortised O(1) per task). It also
// remembers the groups (cells) that were cancelled, so that tasks created in them later are refused.
import type { TaskFuture } from './future';

const KEEP_FINISHED = 10_000;
/** Each cell has its own group and a session runs thousands of cells: remember the latest only. */
const KEEP_CANCELLED_GROUPS = 1000;

export class TaskRegistry {
  private futures: TaskFuture<any>[] = [];
  private pruneAt = KEEP_FINISHED;
  private readonly cancelledGroups = new Set<string>();

  add(f: TaskFuture<any>): void {
    if (this.futures.push(f) < this.pruneAt) return;
    this.forgetFinished();
    this.pruneAt = Math.max(KEEP_FINISHED, 2 * this.futures.length);
  }

  /** Oldest first (a copy). */
  list(): TaskFuture<any>[] {
    return this.futures.slice();
  }

  find(id: string): TaskFuture<any> | undefined {
    return this.futures.find((f) => f.id === id);
  }

  forgetFinished(): void {
    this.futures = this.futures.filter((f) => !f.done);
  }

  /** Cancels the unfinished tasks of `group` and marks it; returns how many were cancelled now. */
  cancelGroup(group: string): number {
    this.cancelledGroups.add(group);
    if (this.cancelledGroups.size > KEEP_CANCELLED_GROUPS) this.cancelledGroups.delete(this.cancelledGroups.values().next().value!);
    let n = 0;
    for (const f of this.futures) if (f.group === group && !f.done && f.cancel()) n++;
    return n;
  }

  cancelled(group: string | undefined): boolean {
    return group !== undefined && this.cancelledGroups.has(group);
  }
}
