/**
 * The engine core: moves futures through PENDING → RUNNING → DONE | FAILED | CANCELLED.
 *
 * Push-based: a finishing task walks its dependents and submits each one whose last dependency that was,
 * in the same tick. Failure cascades (DependencyFailureError) use a work list, not recursion, so deep chains
 * cannot overflow the stack. Events are built only when someone listens.
 */
import type { Backend, StartInfo, SubmitHooks, TaskSpec } from '../backends/backend';
import type { TaskEvent, TaskState } from './events';
import { TaskFuture, TaskRun, type AttemptRecord, type FutureOwner } from './future';
import { scanArgs, substitute } from './args';
import { callUser, isThenable, errorMessage } from './realm';
import { flowContext, type FlowContext } from './context';
import { TaskOutput, type Stream } from './output';
import { buildSpec } from './exec-mode';
import { AttemptHooks } from './hooks';
import type { Slot, TaskDef } from './types';
import { canTransition } from './states';
import { endBlock, runBlock, type BlockOwner, type Settled } from './blocks';
import { taskEvent } from './task-event';
import { TaskRegistry } from './registry';
import {
  DependencyFailureError, EngineShutdownError, InvalidTaskError, TaskCancelledError, TaskTimeoutError,
} from './errors';

export type { TaskOptions, TaskDef, Slot } from './types';

type Listener = (e: TaskEvent) => void;

const noop = (): void => {};
const BLOCK_SLOT: Slot = { name: 'block', backend: undefined as unknown as Backend, assigned: 0, registered: true, retired: false, inline: false };

/** What the scheduler asks of its engine: which backend a task goes to, and when a retired one may close. */
export interface SchedulerHost {
  slotFor(def: TaskDef): Slot;
  maybeRetire(slot: Slot): void;
}

/** Owned by a WorkflowEngine (not a base class of it): the engine decides backends, the scheduler runs tasks. */
export class Scheduler implements FutureOwner {
  private listeners: Listener[] = [];
  /** Set by the engine's shutdown: no new task, no retry. */
  closing = false;
  /** The futures, and the cancelled groups (registry.ts). */
  readonly tasks = new TaskRegistry();
  /** Pool/cluster attempts running now: their output is tagged with the task while there are several. */
  private poolRunning = 0;

  private readonly blocks: BlockOwner = {
    transition: (f, to, time) => this.transition(f, to, time),
    closeAttempt: (f, attempt, state, now, err) => this.closeAttempt(f, attempt, state, now, err),
    finish: (f, state, value, now) => this.finish(f, state, value, now),
  };

  constructor(private readonly host: SchedulerHost) {}

  on(listener: Listener): void {
    this.listeners = [...this.listeners, listener];
  }

  off(listener: Listener): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }

  /** Creates the future for one call of a task and submits it when its dependencies are met. */
  call(def: TaskDef, args: unknown[]): TaskFuture<any> {
    if (this.closing) throw new EngineShutdownError(def.name);
    const ctx: FlowContext | undefined = flowContext.getStore();
    const slot = def.kind === 'block' ? BLOCK_SLOT : this.host.slotFor(def);
    const run = new TaskRun(args, def, slot);
    const f = new TaskFuture<any>(this, def.name, def.kind, slot.name, run, ctx?.parent, ctx?.group);
    slot.assigned++;
    if (!slot.inline && def.kind === 'function') run.extra().output = new TaskOutput(f.id);
    this.tasks.add(f);
    ctx?.adopt?.(f);
    if (this.listeners.length !== 0) this.emit(f, 'PENDING', f.submitted);
    // An interrupted cell's body may go on between tasks (nothing of it was running to cancel): refuse its
    // new tasks, so that `for (...) await t(i)` ends at the next call instead of running all of them.
    if (this.tasks.cancelled(ctx?.group)) {
      this.finish(f, 'CANCELLED', new TaskCancelledError(def.name, `cancelled: group '${ctx!.group}' was cancelled`));
      return f;
    }
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a === 'object' && a !== null) {
        scanArgs(args, (dep) => this.addDependency(f, run, dep));
        break;
      }
    }
    if (f.state === 'PENDING' && run.waiting === 0) this.ready(f, run);
    return f;
  }

  private addDependency(f: TaskFuture<any>, run: TaskRun, dep: TaskFuture<unknown> | Promise<unknown>): void {
    if (f.state !== 'PENDING') return;
    run.hadDeps = true;
    if (dep instanceof TaskFuture) {
      const depRun = dep._s;
      if (depRun === null) return dep.state === 'DONE' ? undefined : this.failDependents([[f, dep]]);
      run.waiting++;
      (depRun.dependents ??= []).push(f);
      return;
    }
    run.waiting++;
    dep.then(
      (v) => {
        if (f.done) return;
        (run.extra().promiseValues ??= new Map()).set(dep, v);
        if (--run.waiting === 0) this.ready(f, run);
      },
      (err) => {
        if (f.done) return;
        run.waiting = 0;
        this.finish(f, 'FAILED', new DependencyFailureError(f.name, 'a promise argument', '-', err));
      },
    );
  }

  /** All dependencies are met: build the backend spec and submit the first attempt. */
  private ready(f: TaskFuture<any>, run: TaskRun): void {
    const def = run.def;
    const args = run.hadDeps ? (run.args = substitute(run.args, run.x && run.x.promiseValues)) : run.args;
    if (def.kind === 'block') return runBlock(this.blocks, f, run, def, args);
    if (def.kind === 'function' && run.slot.inline) return this.submitAttempt(f, run);
    let command: unknown;
    if (def.kind === 'executable') {
      try {
        command = callUser(def.fn, args);
      } catch (err) {
        return this.finish(f, 'FAILED', err);
      }
      // AsyncFlow lets the command builder be async; accept a promised command too.
      if (isThenable(command)) {
        command.then((c) => !f.done && this.submitCommand(f, run, args, c), (e) => !f.done && this.finish(f, 'FAILED', e));
        return;
      }
    }
    this.submitCommand(f, run, args, command);
  }

  private submitCommand(f: TaskFuture<any>, run: TaskRun, args: unknown[], command: unknown): void {
    const spec = buildSpec(f.id, run.def, args, command);
    if (spec instanceof InvalidTaskError) return this.finish(f, 'FAILED', spec);
    run.spec = spec;
    this.submitAttempt(f, run);
  }

  private submitAttempt(f: TaskFuture<any>, run: TaskRun): void {
    const attempt = ++f._attempt;
    if (attempt === 1) {
      if (run.hadDeps) f._firstSubmit = performance.now();
    } else f._materialize().push({ attempt, submitted: performance.now(), state: 'PENDING', started: undefined, finished: undefined });
    if (!run.spec) return this.runInline(f, run, attempt);
    const spec = run.spec;
    spec.attempt = attempt;
    run.extra().queuedAt = performance.now();
    const hooks = new AttemptHooks(this, f, attempt);
    let p: Promise<unknown>;
    try {
      p = run.slot.backend.submit(spec, hooks);
    } catch (err) {
      p = Promise.reject(err);
    }
    this.watch(f, attempt, p);
  }

  /** A separate function so the two closures' context holds only these three. */
  private watch(f: TaskFuture<any>, attempt: number, p: PromiseLike<unknown>): void {
    p.then((v) => this.onResult(f, attempt, v), (e) => this.onError(f, attempt, e));
  }

  /** In-loop function: call it here. Results settle in a microtask so long sync chains cannot recurse. */
  private runInline(f: TaskFuture<any>, run: TaskRun, attempt: number): void {
    this.onStarted(f, attempt);
    let r: unknown;
    try {
      r = callUser(run.def.fn, run.args);
    } catch (err) {
      return this.settleSoon(f, attempt, false, err, 0);
    }
    if (isThenable(r)) this.watch(f, attempt, r);
    // Stamp the end now: a burst of sync tasks runs back to back before any of these microtasks.
    else this.settleSoon(f, attempt, true, r, performance.now());
  }

  /** Out of runInline, so that it captures nothing and allocates no context per call. */
  private settleSoon(f: TaskFuture<any>, attempt: number, ok: boolean, v: unknown, end: number): void {
    queueMicrotask(ok ? () => this.onResult(f, attempt, v, end) : () => this.onError(f, attempt, v));
  }

  /**
   * The one place a future's state changes, checked against the table in states.ts; emits the event. False
   * when the table refuses (a late report about a task that has moved on).
   */
  private transition(f: TaskFuture<any>, to: TaskState, time: number, value?: unknown): boolean {
    if (!canTransition(f.state, to)) return false;
    if (to === 'RUNNING') f.state = to;
    else f._settle(to as Settled, value, time);
    if (this.listeners.length !== 0) this.emit(f, to, time);
    return true;
  }

  /** The run of `f` if a report about `attempt` still counts (not settled: the run is dropped then; no later attempt). */
  private live(f: TaskFuture<any>, attempt: number): TaskRun | null {
    return attempt === f._attempt ? f._s : null;
  }

  /** @internal (AttemptHooks) A worker's report carries its start time: the state and timeout count from it. */
  onStarted(f: TaskFuture<any>, attempt: number, info?: StartInfo): void {
    const run = this.live(f, attempt);
    if (run === null) return;
    const rec = f._records ? f._records[attempt - 1] : null;
    if (rec ? rec.state !== 'PENDING' : f.state !== 'PENDING') return;
    const now = performance.now();
    const x = run.x;
    let t = now;
    if (info?.time !== undefined && info.time < now) t = Math.max(info.time, x?.queuedAt ?? f.submitted);
    if (rec) {
      rec.started = t;
      rec.state = 'RUNNING';
    }
    if (x && run.spec) {
      x.running = true;
      this.poolRunning++;
      if (info?.slot) x.slot = info.slot;
      if (info?.detail) x.detail = info.detail;
    }
    f.started ??= t;
    // A retry's attempt starts while the future stays RUNNING: only its event is new.
    if (f.state === 'RUNNING') {
      if (this.listeners.length !== 0) this.emit(f, 'RUNNING', t);
    } else this.transition(f, 'RUNNING', t);
    const ms = run.def.timeoutMs;
    if (ms !== undefined && ms > 0) run.extra().timer = setTimeout(() => this.expire(f, attempt), Math.max(0, ms - (now - t)));
  }

  /** @internal (AttemptHooks) The backend says why the attempt still waits: a PENDING event with that detail. */
  onWaiting(f: TaskFuture<any>, attempt: number, detail: string): void {
    const run = this.live(f, attempt);
    if (run === null || f.state !== 'PENDING') return;
    run.extra().detail = detail;
    if (this.listeners.length !== 0) this.emit(f, 'PENDING', performance.now());
  }

  /** @internal (AttemptHooks) What a pool task printed: to its cell, tagged while several run. */
  onOutput(f: TaskFuture<any>, stream: Stream, text: string): void {
    const out = f._s?.x?.output;
    if (out) out.write(stream, text, this.poolRunning > 1);
  }

  /** @internal (AttemptHooks) The worker's end time of this attempt. */
  onFinished(f: TaskFuture<any>, attempt: number, time: number): void {
    const run = this.live(f, attempt);
    if (run !== null) run.extra().endTime = time;
  }

  /** The attempt is over (any outcome): release its share of the running count, flush its output. */
  private leaveRunning(f: TaskFuture<any>): void {
    const x = f._s?.x;
    if (!x) return;
    x.output?.flush(this.poolRunning > 1);
    if (x.running) {
      x.running = false;
      this.poolRunning--;
    }
  }

  private expire(f: TaskFuture<any>, attempt: number): void {
    const run = this.live(f, attempt);
    if (run === null) return;
    run.extra().timedOut = true;
    this.cancelOnBackend(f, run);
  }

  private cancelOnBackend(f: TaskFuture<any>, run: TaskRun): void {
    // An in-loop function cannot be stopped: settle it now and drop its eventual result.
    if (!run.spec) return this.onError(f, f._attempt, new TaskCancelledError(f.name));
    try {
      const r = run.slot.backend.cancel(f.id);
      if (isThenable(r)) Promise.resolve(r).catch(noop);
    } catch {
      // A backend that cannot cancel leaves the task to finish on its own.
    }
  }

  private onResult(f: TaskFuture<any>, attempt: number, value: unknown, now = performance.now()): void {
    const run = this.live(f, attempt);
    if (run === null) return;
    const end = run.x?.endTime;
    if (end !== undefined && end < now) now = Math.max(end, f.started ?? end);
    this.leaveRunning(f);
    this.closeAttempt(f, attempt, 'DONE', now);
    this.finish(f, 'DONE', value, now);
  }

  private onError(f: TaskFuture<any>, attempt: number, err: unknown): void {
    const run = this.live(f, attempt);
    if (run === null) return;
    let state: Settled = 'FAILED';
    const x = run.x;
    if (x?.cancelRequested) {
      state = 'CANCELLED';
      err = new TaskCancelledError(f.name);
    } else if (x?.timedOut) {
      x.timedOut = false;
      err = new TaskTimeoutError(f.name, run.def.timeoutMs ?? 0);
    }
    let now = performance.now();
    const end = x?.endTime;
    if (end !== undefined && end < now) now = Math.max(end, f.started ?? end);
    if (x) x.endTime = undefined;
    this.leaveRunning(f);
    this.closeAttempt(f, attempt, state, now, err);
    if (state === 'FAILED' && attempt <= run.def.retries && !this.closing) return this.submitAttempt(f, run);
    this.finish(f, state, err, now);
  }

  private closeAttempt(f: TaskFuture<any>, attempt: number, state: TaskState, now: number, err?: unknown): void {
    const x = f._s?.x;
    if (x?.timer) clearTimeout(x.timer), (x.timer = undefined);
    if (!f._records && state === 'DONE') return; // the future's own fields describe this attempt
    const rec: AttemptRecord = f._materialize()[attempt - 1];
    rec.finished = now;
    rec.state = state;
    if (err !== undefined) rec.error = errorMessage(err);
  }

  /** Settles a future and wakes (or fails) its dependents. */
  private finish(f: TaskFuture<any>, state: Settled, value: unknown, now = performance.now()): void {
    const failed = this.settleOne(f, state, value, now);
    if (failed) this.failDependents(failed);
  }

  private settleOne(f: TaskFuture<any>, state: Settled, value: unknown, now: number): Array<[TaskFuture<any>, TaskFuture<any>]> | null {
    const run = f._s;
    if (run === null) return null; // settled already
    if (run.x) this.leaveRunning(f);
    if (run.x?.timer) clearTimeout(run.x.timer);
    const slot = run.slot;
    if (!this.transition(f, state, now, value)) return null;
    slot.assigned--;
    if (slot.retired) this.host.maybeRetire(slot);
    const w = run.waiters;
    if (w) for (const x of Array.isArray(w) ? w : [w]) x.settled(f);
    const deps = run.dependents;
    if (!deps) return null;
    let failed: Array<[TaskFuture<any>, TaskFuture<any>]> | null = null;
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i];
      const dRun = d._s;
      if (dRun === null || dRun.waiting === 0) continue;
      if (state !== 'DONE') (failed ??= []).push([d, f]);
      else if (--dRun.waiting === 0) this.ready(d, dRun);
    }
    return failed;
  }

  private failDependents(work: Array<[TaskFuture<any>, TaskFuture<any>]>): void {
    while (work.length) {
      const [d, dep] = work.pop()!;
      const dRun = d._s;
      if (dRun === null) continue;
      dRun.waiting = 0;
      const err = new DependencyFailureError(d.name, dep.name, dep.id, dep.error);
      const more = this.settleOne(d, 'FAILED', err, performance.now());
      if (more) work.push(...more);
    }
  }

  cancelTask(f: TaskFuture<any>): boolean {
    const run = f._s;
    if (run === null) return false; // settled
    if (f.kind === 'block') {
      if (f.state === 'PENDING') this.finish(f, 'CANCELLED', new TaskCancelledError(f.name));
      else endBlock(this.blocks, f, 'CANCELLED', new TaskCancelledError(f.name));
      return true;
    }
    if (f._attempt === 0) {
      run.waiting = 0;
      this.finish(f, 'CANCELLED', new TaskCancelledError(f.name));
      return true;
    }
    run.extra().cancelRequested = true;
    this.cancelOnBackend(f, run);
    return true;
  }

  private emit(f: TaskFuture<any>, state: TaskState, time: number): void {
    const e = taskEvent(f, state, time);
    for (const l of this.listeners.length === 1 ? this.listeners : this.listeners.slice()) {
      try {
        l(e);
      } catch (err) {
        console.error('flowbook: a task event listener threw:', err);
      }
    }
  }
}
