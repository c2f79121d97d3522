/**
 * Backends every engine knows by name, without registering them: `{ backend: 'threads' }` on a task of the
 * preloaded `flow` works at once. 'async' is the in-loop backend; the others are made on first use and
 * started (init) by their first task, so an engine that never asks loads no pool and no SLURM client.
 */
import type { Backend, SubmitHooks, TaskSpec } from './backend';
import { ConcurrentExecutionBackend } from './concurrent';
import { TaskCancelledError } from '../engine/errors';

export const BUILTIN_BACKENDS = ['async', 'threads', 'processes', 'slurm'] as const;

/** Starts `make()`'s backend when the first task arrives; tasks submitted meanwhile wait for its init. */
export class LazyBackend implements Backend {
  private backend?: Backend;
  private starting?: Promise<Backend>;
  private readonly waiting = new Map<string, (e: unknown) => void>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly make: () => Backend,
  ) {}

  private start(): Promise<Backend> {
    return (this.starting ??= (async () => {
      const b = this.make();
      await b.init?.();
      this.backend = b;
      return b;
    })());
  }

  submit(task: TaskSpec, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) return Promise.reject(new TaskCancelledError(task.name, `submitted after backend '${this.name}' shut down`));
    if (this.backend) return this.backend.submit(task, hooks);
    return new Promise((resolve, reject) => {
      this.waiting.set(task.id, reject);
      this.start().then(
        (b) => {
          if (!this.waiting.delete(task.id)) return; // cancelled while the backend started
          // A backend may refuse at once by throwing (a pool's closure check): the first task on a lazily
          // started backend then never settled, and the error went to unhandledRejection instead.
          let result: Promise<unknown>;
          try {
            result = b.submit(task, hooks);
          } catch (err) {
            return reject(err);
          }
          result.then(resolve, reject);
        },
        (err) => {
          this.waiting.delete(task.id);
          reject(err);
        },
      );
    });
  }

  cancel(id: string): boolean | Promise<boolean> {
    const reject = this.waiting.get(id);
    if (reject) {
      this.waiting.delete(id);
      reject(new TaskCancelledError(id));
      return true;
    }
    return this.backend ? this.backend.cancel(id) : false;
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const [id, reject] of this.waiting) reject(new TaskCancelledError(id, 'cancelled by shutdown'));
    this.waiting.clear();
    const b = this.backend ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    await b?.shutdown();
  }
}

/** A fresh backend for a built-in name, or undefined. */
export function builtinBackend(name: string): Backend | undefined {
  switch (name) {
    case 'async':
      return new ConcurrentExecutionBackend();
    case 'threads':
    case 'processes':
      return new LazyBackend(name, () => {
        const pools = require('./pools/pool') as typeof import('./pools/pool');
        const pool = name === 'threads' ? new pools.ThreadPoolExecutor() : new pools.ProcessPoolExecutor();
        return new ConcurrentExecutionBackend(pool);
      });
    case 'slurm':
      return new LazyBackend(name, () => {
        const { SlurmExecutionBackend } = require('./slurm') as typeof import('./slurm');
        return new SlurmExecutionBackend();
      });
    default:
      return undefined;
  }
}
