/**
 * Runs executable tasks as child processes through `/bin/sh -c`, at most `max` at a time.
 *
 * node:child_process rather than execa: we need a detached process group to kill the whole tree
 * (-pgid, SIGTERM then SIGKILL after a grace period), and spawn directly costs less per task.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SubmitHooks, TaskSpec } from './backend';
import { cancelQueued } from './executor';
import { ExecutableError, TaskCancelledError } from '../engine/errors';

interface Job {
  task: TaskSpec;
  hooks: SubmitHooks;
  resolve: (v: string) => void;
  reject: (e: unknown) => void;
  child?: ChildProcess;
  cancelled?: boolean;
  killTimer?: NodeJS.Timeout;
}

export class ProcessRunner {
  private readonly queue: Job[] = [];
  private readonly running = new Map<string, Job>();

  constructor(
    private readonly max: number,
    private readonly killGraceMs: number,
  ) {}

  run(task: TaskSpec, hooks: SubmitHooks): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ task, hooks, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running.size < this.max && this.queue.length) this.start(this.queue.shift()!);
  }

  private start(job: Job): void {
    const { task } = job;
    const env = task.env ? { ...process.env, ...task.env } : process.env;
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', task.command!], { cwd: task.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      job.reject(err);
      return;
    }
    job.child = child;
    this.running.set(task.id, job);
    job.hooks.started();
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    // The shell may exit while descendants it left in the group still hold the pipes: finish them off.
    child.on('exit', () => {
      if (job.cancelled) this.killGroup(child, 'SIGKILL');
    });
    child.on('close', (code, signal) => {
      clearTimeout(job.killTimer);
      this.running.delete(task.id);
      if (job.cancelled) job.reject(new TaskCancelledError(task.name));
      else if (spawnError) {
        const where = task.cwd ? ` (cwd ${task.cwd})` : '';
        job.reject(new ExecutableError(task.name, task.command!, null, spawnError.message + where, null));
      }
      else if (code === 0) job.resolve(stdout.trim());
      else job.reject(new ExecutableError(task.name, task.command!, code, stderr, signal));
      this.pump();
    });
  }

  private killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  cancel(id: string): boolean {
    if (cancelQueued(this.queue, id)) return true;
    const job = this.running.get(id);
    if (!job || job.cancelled) return false;
    job.cancelled = true;
    this.killGroup(job.child!, 'SIGTERM');
    job.killTimer = setTimeout(() => this.killGroup(job.child!, 'SIGKILL'), this.killGraceMs);
    return true;
  }

  /** Rejects the queue, kills what runs and resolves once every child has exited. */
  async shutdown(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new TaskCancelledError(job.task.name, 'cancelled by shutdown'));
    const exits = [...this.running.values()].map(
      (job) => new Promise<void>((res) => {
        job.child!.once('close', () => res());
        this.cancel(job.task.id);
      }),
    );
    await Promise.all(exits);
  }
}
