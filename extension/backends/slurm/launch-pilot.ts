/**
 * 'pilot' mode (the default; index.ts says why): pilot jobs hold allocations and run an agent, and tasks are
 * streamed to them (pilot.ts) from one queue on this side (pool.ts: minPilots, maxPilots, idleTimeout).
 * A task with `taskDescription.slurm` options runs as its own step in a running pilot's allocation
 * (`srun --jobid=J --overlap <options>`), so its options reach srun and cancel targets exactly that step.
 */
import type { SubmitHooks } from '../backend';
import { TaskCancelledError } from '../../engine/errors';
import type { SlurmOptions } from './index';
import { Runs, runOwn } from './launch-common';
import type { LaunchContext, LaunchTask, SlurmLauncher } from './launcher';
import { Pilot } from './pilot';
import { PilotPool } from './pool';

/** The most pilots at once: `maxPilots`, else the older `nodes`, else 1. */
export const maxPilots = (o: SlurmOptions): number => Math.max(1, o.maxPilots ?? o.nodes ?? 1);

export class PilotLauncher implements SlurmLauncher {
  readonly mode = 'pilot';
  /** Made in init; tests read its pilots. */
  pool?: PilotPool;
  /** Tasks with SLURM options (their own steps). */
  private runs = new Runs();
  /** Tasks with SLURM options waiting for a running pilot: a cancel marks them, and they never start. */
  private waiting = new Map<string, { cancelled: boolean }>();

  constructor(private readonly ctx: LaunchContext) {}

  init(): void {
    const o = this.ctx.options;
    this.pool = new PilotPool({
      min: o.minPilots ?? 0, max: maxPilots(o), idleMs: (o.idleTimeout ?? 300) * 1000,
      newPilot: () => this.newPilot(),
    });
    this.pool.warm();
  }

  async submit(task: LaunchTask, hooks: SubmitHooks): Promise<unknown> {
    if (!task.slurm.length) return this.pool!.run(task.job, task.value, hooks);
    const entry = { cancelled: false };
    this.waiting.set(task.spec.id, entry);
    let pilot: Pilot;
    try {
      pilot = await this.pool!.anyRunning(task.spec.name);
    } finally {
      this.waiting.delete(task.spec.id);
    }
    if (entry.cancelled) throw new TaskCancelledError(task.spec.name, 'cancelled before it was submitted to SLURM');
    const step = ['--jobid=' + pilot.jobId, '--overlap', '-N1', '-n1', ...task.slurm];
    return runOwn(this.ctx, this.runs, task, step, false, hooks);
  }

  cancel(id: string): Promise<boolean> | boolean {
    const w = this.waiting.get(id);
    if (w) {
      w.cancelled = true;
      return true;
    }
    return this.runs.cancel(id) ?? (this.pool ? this.pool.cancel(id) : false);
  }

  /** Own steps first: ended under a closing pilot, they would fail as ended by SLURM, not as cancelled. */
  async shutdown(): Promise<void> {
    for (const w of this.waiting.values()) w.cancelled = true;
    await this.runs.close();
    await this.pool?.close();
  }

  describe(): string[] {
    const { options: o, bindHost, cpusPerTask, tls } = this.ctx;
    const idle = o.idleTimeout ?? 300;
    return [
      `pilots: ${o.minPilots ?? 0} to ${maxPilots(o)}, ${this.slotsPerPilot} slot(s) each ` +
        `(${cpusPerTask} CPU(s) per task), idle timeout ${idle === 0 ? 'none (held)' : `${idle} s`}, ` +
        `time limit ${o.timeLimit ?? 'partition default'}`,
      `channel: ${bindHost}, HMAC-signed frames${tls ? ', TLS-PSK' : ''}, ` +
        `at most ${o.maxMessageMb ?? 512} MB per value`,
    ];
  }

  /** Tasks at once per pilot: `slots`, else as many `cpusPerTask` as the node has CPUs. */
  private get slotsPerPilot(): number {
    return this.ctx.options.slots ?? Math.max(1, Math.floor(this.ctx.nodeCpus / this.ctx.cpusPerTask));
  }

  private newPilot(): Pilot {
    const slots = this.slotsPerPilot;
    const cpus = Math.min(this.ctx.nodeCpus, slots * this.ctx.cpusPerTask);
    const pilot = new Pilot({
      srunArgs: this.ctx.resourceArgs(cpus), slots, ownJob: true,
      bindHost: this.ctx.bindHost, tls: this.ctx.tls, maxFrame: this.ctx.maxFrame,
      onFree: (p) => this.pool?.onFree(p), onExit: (p) => this.pool?.onExit(p),
    });
    pilot.started.then(() => this.ctx.ownJob(pilot.jobId), () => {});
    this.ctx.ownName(pilot.name);
    return pilot;
  }
}
