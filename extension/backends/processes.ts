/**
 * Runs executable tasks as child processes, at most `max` at a time (one Limiter). A command string goes
 * through `/bin/sh -c`; an argv array (exec mode) is spawned directly, which saves the shell's start.
 *
 * Each child leads its own process group (cancel kills the tree: proc/kill.ts) and dies with this process
 * (proc/spawn.ts). Output is collected, not streamed: stdout is the task's result (as in AsyncFlow) and the tail
 * of stderr goes into its ExecutableError; a function task's console output is what reaches the cell live.
 */
import type { ChildProcess } from 'node:child_process';
import type { SubmitHooks, TaskSpec } from './backend';
import { Limiter } from './proc/limiter';
import { killTree, signalGroup } from './proc/kill';
import { setprivPath, spawnTied } from './proc/spawn';
import { ExecutableError, TaskCancelledError } from '../engine/errors';

interface Running {
  child: ChildProcess;
  cancelled: boolean;
  /** Lane in the task-stream view: the lowest index free when it started. */
  lane: number;
}

/** Stdout kept for the result: beyond this the task fails rather than swell the kernel. */
const MAX_STDOUT = 64 * 1024 * 1024;

export class ProcessRunner {
  private readonly limiter: Limiter<string>;
  private readonly running = new Map<string, Running>();

  constructor(
    max: number,
    private readonly killGraceMs: number,
  ) {
    this.limiter = new Limiter(max);
  }

  run(task: TaskSpec, hooks: SubmitHooks): Promise<string> {
    return this.limiter.run(task.id, () => this.start(task, hooks));
  }

  private start(task: TaskSpec, hooks: SubmitHooks): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const env = task.env ? { ...process.env, ...task.env } : process.env;
      const [file, args] = task.argv ? [task.argv[0], task.argv.slice(1)] : ['/bin/sh', ['-c', task.command!]];
      const shown = task.command ?? task.argv!.join(' ');
      let child: ChildProcess;
      try {
        child = spawnTied(file, args, { cwd: task.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        reject(new ExecutableError(task.name, shown, null, (err as Error).message, null));
        return;
      }
      const run: Running = { child, cancelled: false, lane: this.freeLane() };
      this.running.set(task.id, run);
      hooks.started({ slot: { worker: run.lane, pid: child.pid } });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < MAX_STDOUT) stdout += d;
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr = (stderr + d).slice(-64 * 1024);
      });
      let spawnError: Error | undefined;
      child.on('error', (err) => (spawnError = err));
      // The shell may exit while descendants it left in the group still hold the pipes: finish them off.
      child.on('exit', () => {
        if (run.cancelled) signalGroup(child.pid, 'SIGKILL');
      });
      child.on('close', (code, signal) => {
        this.running.delete(task.id);
        if (run.cancelled) reject(new TaskCancelledError(task.name));
        else if (spawnError) {
          const where = task.cwd ? ` (cwd ${task.cwd})` : '';
          // The error names setpriv (proc/spawn.ts) when the cwd is missing: name the real program.
          const sp = setprivPath();
          const why = sp ? spawnError.message.split(sp).join(file) : spawnError.message;
          reject(new ExecutableError(task.name, shown, null, why + where, null));
        } else if (code === 0) resolve(stdout.trim());
        else reject(new ExecutableError(task.name, shown, code, stderr, signal));
      });
    });
  }

  private freeLane(): number {
    const used = new Set<number>();
    for (const r of this.running.values()) used.add(r.lane);
    let lane = 0;
    while (used.has(lane)) lane++;
    return lane;
  }

  cancel(id: string): boolean {
    if (this.limiter.cancel(id, new TaskCancelledError(id))) return true;
    const run = this.running.get(id);
    if (!run || run.cancelled) return false;
    run.cancelled = true;
    void killTree(run.child, { graceMs: this.killGraceMs });
    return true;
  }

  /** Rejects what waits, kills what runs and resolves once every child has exited. */
  async shutdown(): Promise<void> {
    this.limiter.clear((id) => new TaskCancelledError(id, 'cancelled by shutdown'));
    const exits = [...this.running.entries()].map(
      ([id, run]) => new Promise<void>((res) => {
        run.child.once('close', () => res());
        this.cancel(id);
      }),
    );
    await Promise.all(exits);
  }
}
