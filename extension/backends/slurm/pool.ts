/**
 * Pilots that follow the work, as Dask's adapt() and Parsl's block scaling do.
 * - Tasks wait here, not in agents: a pilot gets a task only into a free slot. So a cancelled task never
 *   starts, and a pilot that ends (idle, time limit, scancel) leaves nothing queued behind.
 * - More queued tasks than the slots of running and pending pilots start another pilot, up to `max`; at
 *   least `min` are kept.
 * - A pilot with nothing to run for `idleMs` ends and frees its allocation (0 = hold it); the next task
 *   starts a new one. While a pilot pends, its waiting tasks are told SLURM's reason (squeue %r).
 * - Walltime: once SLURM's time left is known, a pilot stops taking tasks DRAIN_MS before its end, and a
 *   replacement is requested REPLACE_MS before it (both capped to a share of the limit), so queued tasks move
 *   over; a task still running at the limit fails with SLURM's reason.
 */
import type { SubmitHooks } from '../backend';
import { slurmCmd } from './cli';
import { Pilot, PilotLostError } from './pilot';
import type { AgentJob } from './protocol';
import { TaskCancelledError } from '../../engine/errors';

const SHUT_DOWN = 'cancelled: the SLURM backend shut down';

export interface PoolOptions {
  min: number;
  max: number;
  idleMs: number;
  newPilot(): Pilot;
}

interface Waiter {
  job: AgentJob;
  value?: Buffer;
  hooks: SubmitHooks;
  resolve(v: unknown): void;
  reject(e: Error): void;
  lost: number;
}

const PENDING_POLL_MS = 2000;
const DRAIN_MS = 60_000;
const REPLACE_MS = 120_000;

export class PilotPool {
  readonly pilots: Pilot[] = [];
  private queue: Waiter[] = [];
  private where = new Map<string, Pilot>();
  private idle = new Map<Pilot, NodeJS.Timeout>();
  private closed = false;
  private poll?: NodeJS.Timeout;
  private lastReason = '';

  constructor(private o: PoolOptions) {}

  /** Starts the `min` pilots (called once the backend is initialised). */
  warm(): void {
    this.scale();
  }

  run(job: AgentJob, value: Buffer | undefined, hooks: SubmitHooks): Promise<unknown> {
    if (this.closed) return Promise.reject(new TaskCancelledError(job.name, 'submitted after the SLURM backend shut down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, value, hooks, resolve, reject, lost: 0 });
      this.dispatch();
    });
  }

  /** A queued task is dropped (it never starts); a running one is killed by its agent. */
  cancel(id: string): Promise<boolean> | boolean {
    const i = this.queue.findIndex((w) => w.job.id === id);
    if (i >= 0) {
      const [waiting] = this.queue.splice(i, 1);
      waiting.reject(new TaskCancelledError(waiting.job.name));
      return true;
    }
    const p = this.where.get(id);
    return p ? p.cancel(id) : false;
  }

  /** A running pilot, for a task that runs as its own step in the pilot's allocation. */
  async anyRunning(taskName: string): Promise<Pilot> {
    for (;;) {
      if (this.closed) throw new TaskCancelledError(taskName, SHUT_DOWN);
      const live = this.pilots.filter((p) => p.running);
      if (live.length) return live.reduce((a, b) => (b.load < a.load ? b : a));
      if (!this.pilots.some((p) => p.alive && !p.draining)) this.start();
      await Promise.any(this.pilots.filter((p) => p.alive).map((p) => p.started)).catch((e: AggregateError) => {
        throw e.errors[0];
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.poll);
    for (const t of this.idle.values()) clearTimeout(t);
    for (const w of this.queue.splice(0)) w.reject(new TaskCancelledError(w.job.name, SHUT_DOWN));
    await Promise.all(this.pilots.map((p) => p.close()));
  }

  private dispatch(): void {
    while (this.queue.length) {
      const free = this.pilots.filter((p) => p.free > 0);
      if (!free.length) break;
      const p = free.reduce((a, b) => (b.free > a.free ? b : a));
      this.unidle(p);
      const w = this.queue.shift()!;
      this.where.set(w.job.id, p);
      p.run(w.job, w.value, w.hooks).then(w.resolve, (e: Error) => {
        if (e instanceof PilotLostError && !this.closed && ++w.lost < 3) {
          this.queue.unshift(w); // it never started there: run it on another pilot
          this.dispatch();
        } else w.reject(e);
      }).finally(() => this.where.get(w.job.id) === p && this.where.delete(w.job.id));
    }
    this.scale();
  }

  /** Starts pilots for work the running and pending ones cannot take; keeps `min`. */
  private scale(): void {
    if (this.closed) return;
    const usable = () => this.pilots.filter((p) => p.alive && !p.draining);
    const pendingSlots = () => usable().filter((p) => !p.running).reduce((n, p) => n + p.slots, 0);
    while (usable().length < this.o.max && (usable().length < this.o.min || this.queue.length > pendingSlots())) this.start();
    this.watchPending();
  }

  private start(): Pilot {
    const p = this.o.newPilot();
    this.pilots.push(p);
    p.started.then(() => {
      this.lastReason = '';
      void this.watchTimeLimit(p);
      this.onFree(p);
    }, () => this.scale());
    return p;
  }

  /** @internal (Pilot.onFree) */
  onFree(p: Pilot): void {
    if (!p.alive) return;
    this.dispatch();
    if (p.load === 0 && p.draining) void p.close(); // near its limit and done: let it go now
    else if (p.load === 0) this.armIdle(p);
  }

  /** @internal (Pilot.onExit) */
  onExit(p: Pilot): void {
    this.unidle(p);
    const i = this.pilots.indexOf(p);
    if (i >= 0) this.pilots.splice(i, 1);
    if (!this.closed) this.dispatch();
  }

  private armIdle(p: Pilot): void {
    if (this.o.idleMs <= 0 || this.idle.has(p)) return;
    const t = setTimeout(() => {
      this.idle.delete(p);
      const others = this.pilots.filter((x) => x !== p && x.alive && !x.draining).length;
      if (p.load === 0 && others >= this.o.min) void p.close();
    }, this.o.idleMs);
    t.unref();
    this.idle.set(p, t);
  }

  private unidle(p: Pilot): void {
    clearTimeout(this.idle.get(p));
    this.idle.delete(p);
  }

  /** While tasks wait for a pilot that pends, tell them SLURM's reason. */
  private watchPending(): void {
    if (this.poll || this.closed) return;
    const tick = async () => {
      this.poll = undefined;
      const pending = this.pilots.filter((p) => p.alive && !p.running);
      if (!pending.length || !this.queue.length) return;
      const r = await slurmCmd('squeue', ['-h', '-o', '%j %T %r', '-n', pending.map((p) => p.name).join(',')]);
      const line = r.stdout.split('\n').find((l) => / PENDING /.test(l));
      const reason = line ? line.trim().split(' ').pop()! : '';
      if (reason && reason !== this.lastReason) {
        this.lastReason = reason;
        for (const w of this.queue) w.hooks.waiting?.(`waiting for a SLURM allocation (Reason=${reason})`);
      }
      if (!this.closed) this.poll = setTimeout(() => void tick(), PENDING_POLL_MS);
      this.poll?.unref();
    };
    this.poll = setTimeout(() => void tick(), 300);
    this.poll.unref();
  }

  /** Reads the pilot's time left and plans its drain and replacement. */
  private async watchTimeLimit(p: Pilot): Promise<void> {
    const r = await slurmCmd('squeue', ['-h', '-j', p.jobId, '-o', '%L %l']);
    const [left, limit] = r.stdout.trim().split(/\s+/).map(parseDuration);
    if (left === undefined || !isFinite(left) || !p.alive) return;
    p.endsAt = performance.now() + left;
    const plan = walltimePlan(left, limit);
    if (!plan) {
      setTimeout(() => void (p.alive && !this.closed && this.watchTimeLimit(p)), MAX_TIMER_MS).unref();
      return;
    }
    const { replaceIn, drainIn } = plan;
    setTimeout(() => {
      if (!p.alive || this.closed) return;
      // The replacement counts against max only once the old pilot drains: allow it one above.
      if (p.load > 0 || this.queue.length || this.pilots.filter((x) => x.alive && !x.draining).length <= this.o.min) {
        this.pilots.filter((x) => x.alive && !x.draining).length >= this.o.max ? this.startOver(p) : this.start();
      }
    }, replaceIn).unref();
    setTimeout(() => {
      if (!p.alive) return;
      p.draining = true;
      if (p.load === 0) void p.close();
      this.dispatch();
    }, drainIn).unref();
  }

  private startOver(old: Pilot): void {
    old.draining = true; // no new tasks: its replacement takes them
    this.start();
    if (old.load === 0) void old.close();
  }
}

/** setTimeout fires at once (after 1 ms, with a TimeoutOverflowWarning) for a delay beyond this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When to ask for a replacement and when to stop handing out tasks, in ms from now, for a pilot with `left` ms
 * to live out of a `limit`: REPLACE_MS and DRAIN_MS before its end, at most half and a quarter of the limit.
 * Undefined when that is further off than a timer can wait: ask again later. (nodes.test.ts once met a pilot
 * with 365 days less 61 s left; the overflowing timer fired at once and drained it.)
 */
export function walltimePlan(left: number, limit?: number): { replaceIn: number; drainIn: number } | undefined {
  const share = (ms: number, f: number) => Math.min(ms, (limit ?? left) * f);
  const replaceIn = Math.max(0, left - share(REPLACE_MS, 0.5));
  const drainIn = Math.max(0, left - share(DRAIN_MS, 0.25));
  return drainIn > MAX_TIMER_MS ? undefined : { replaceIn, drainIn };
}

/** SLURM's [D-]HH:MM:SS / MM:SS / UNLIMITED, in ms. */
export function parseDuration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  if (/^(UNLIMITED|INVALID|NOT_SET)$/.test(s)) return Infinity;
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(s);
  if (!m) return undefined;
  const [d, h, mi, se] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0));
  return (((d * 24 + h) * 60 + mi) * 60 + se) * 1000;
}
