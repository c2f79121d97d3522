/** Dry-run backend: every task "runs" at once and returns nothing (an empty string for executables). */
import type { Backend, SubmitHooks, TaskSpec } from './backend';

export class NoopExecutionBackend implements Backend {
  readonly name = 'dry-run';

  submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    hooks.started();
    return Promise.resolve(task.kind === 'executable' ? '' : undefined);
  }

  cancel(): boolean {
    return false;
  }

  async shutdown(): Promise<void> {}
}
