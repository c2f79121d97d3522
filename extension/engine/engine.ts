/**
 * WorkflowEngine: the public face of the engine. Decorates functions into task callables, owns the
 * backends (init on create, switching the default, shutdown) and the event feed. Scheduling is in
 * scheduler.ts.
 */
import type { Backend } from '../backends/backend';
import { ConcurrentExecutionBackend } from '../backends/concurrent';
import { NoopExecutionBackend } from '../backends/noop';
import { runsInline } from '../backends/inline';
import { BUILTIN_BACKENDS, builtinBackend } from '../backends/builtin';
import type { TaskEvent } from './events';
import type { RunResult } from '../report/run-result';
import { TaskFuture } from './future';
import { Scheduler, type Slot, type TaskDef, type TaskOptions } from './scheduler';
import { gather } from './gather';
import { InvalidTaskError } from './errors';
import { errorMessage } from './realm';
import { defineRepr } from './repr';

export type { TaskOptions } from './scheduler';

export interface EngineOptions {
  /** The default backend (default: an in-event-loop ConcurrentExecutionBackend). */
  backend?: Backend;
  /** Named backends; tasks pick one with `{ backend: 'name' }`. */
  backends?: Record<string, Backend>;
  /** Name (in `backends`) of the default backend, when `backend` is not given. */
  default?: string;
  /** Run nothing: every task succeeds at once with an empty result. */
  dryRun?: boolean;
  retries?: number;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  /** What shutdown() gives running tasks before it stops them. Default 2000 ms. */
  shutdownGraceMs?: number;
}

/** A value, or a future/promise of it, or a container holding those (dependencies anywhere in the args). */
export type Futurable<T> = T | PromiseLike<T> | (T extends object ? { [K in keyof T]: Futurable<T[K]> } : never);
export type TaskCall<A extends unknown[], R> = (...args: { [I in keyof A]: Futurable<A[I]> }) => TaskFuture<R>;

const DEFAULT_SHUTDOWN_GRACE_MS = 2000;

function invalid(name: string, message: string): InvalidTaskError {
  return new InvalidTaskError(name, `task '${name}': ${message}`);
}

/** Resolves when `p` settles or after `ms`, whichever comes first. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function checkNumber(where: string, name: string, v: unknown, min: number, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${where}: option '${name}' must be a number, got ${v === null ? 'null' : typeof v}`);
  if (integer && !Number.isInteger(v)) throw new TypeError(`${where}: option '${name}' must be an integer, got ${v}`);
  if (v < min) throw new RangeError(`${where}: option '${name}' must be at least ${min}, got ${v}`);
}

/** Shared by every call without arguments; frozen, so a backend that tried to modify it would throw. */
const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

export class WorkflowEngine implements AsyncDisposable {
  /** What the latest %%flow or %%compare on this engine measured: rows, events, wall, errors and exports. */
  last?: RunResult;
  /** Runs the tasks; the engine decides where (slots) and owns the public API. */
  private readonly scheduler = new Scheduler({ slotFor: (def) => this.slotFor(def), maybeRetire: (slot) => this.maybeRetire(slot) });
  private readonly slots = new Map<string, Slot>();
  private defaultSlot!: Slot;
  private readonly retiredSlots = new Set<Slot>();
  private shutdownPromise?: Promise<void>;
  private dryRunBackend?: Backend;
  /** Engines created and not yet shut down: a host (the kernel) cancels and closes them all, not only its own. */
  private static readonly open = new Set<WorkflowEngine>();

  /** Every engine created in this process and not yet shut down. */
  static live(): WorkflowEngine[] {
    return [...WorkflowEngine.open];
  }

  /** watch() listeners, each with the engines it was added to. */
  private static readonly watchers = new Map<(e: TaskEvent) => void, Set<WorkflowEngine>>();

  /**
   * Task events of every engine: those alive now and those created until the returned function is called
   * (%%flow and %%compare see tasks of an engine a cell creates, not only the preloaded `flow`'s).
   */
  static watch(listener: (e: TaskEvent) => void): () => void {
    const engines = new Set(WorkflowEngine.open);
    WorkflowEngine.watchers.set(listener, engines);
    for (const e of engines) e.on('task', listener);
    return () => {
      WorkflowEngine.watchers.delete(listener);
      for (const e of engines) e.off('task', listener);
    };
  }

  private constructor(private readonly defaults: EngineOptions) {}

  private get closing(): boolean {
    return this.scheduler.closing;
  }

  /** Creates an engine and initialises every backend; fails at once if one cannot start. */
  static async create(opts: EngineOptions = {}): Promise<WorkflowEngine> {
    checkNumber('WorkflowEngine.create', 'retries', opts.retries, 0, true);
    checkNumber('WorkflowEngine.create', 'timeoutMs', opts.timeoutMs, 0);
    checkNumber('WorkflowEngine.create', 'shutdownGraceMs', opts.shutdownGraceMs, 0);
    const engine = new WorkflowEngine(opts);
    const named = Object.entries(opts.backends ?? {});
    if (opts.default !== undefined && !opts.backends?.[opts.default]) {
      throw new Error(`WorkflowEngine.create: default backend '${opts.default}' is not in backends`);
    }
    if (opts.dryRun) engine.dryRunBackend = new NoopExecutionBackend();
    for (const [name, backend] of named) engine.slots.set(name, engine.makeSlot(name, backend, true));
    if (opts.backend) engine.defaultSlot = engine.makeSlot(opts.backend.name, opts.backend, false);
    else if (opts.default !== undefined) engine.defaultSlot = engine.slots.get(opts.default)!;
    else if (named.length) engine.defaultSlot = engine.slots.get(named[0][0])!;
    else engine.defaultSlot = engine.makeSlot('async', new ConcurrentExecutionBackend(), false);
    const distinct = new Set([...engine.slots.values(), engine.defaultSlot].map((s) => s.backend));
    const inits = [...distinct].map(async (b) => {
      try {
        await b.init?.();
      } catch (err) {
        throw new Error(`backend '${b.name}' failed to start: ${errorMessage(err)}`, { cause: err });
      }
    });
    const results = await Promise.allSettled(inits);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled([...distinct].map((b) => b.shutdown()));
      throw failed.reason;
    }
    WorkflowEngine.open.add(engine);
    for (const [l, engines] of WorkflowEngine.watchers) engines.add(engine), engine.on('task', l);
    return engine;
  }

  private makeSlot(name: string, backend: Backend, registered: boolean): Slot {
    const target = this.dryRunBackend ?? backend;
    return { name, backend: target, assigned: 0, registered, retired: false, inline: runsInline(target) };
  }

  /** A function task: each call returns a TaskFuture of its (awaited) return value. */
  functionTask<A extends unknown[], R>(fn: (...args: A) => R, opts: TaskOptions = {}): TaskCall<A, Awaited<R>> {
    const def = this.define(fn, 'function', opts, 'functionTask');
    return this.callable(def);
  }

  /**
   * An executable task: `fn` returns (or resolves to) a shell command, run by `/bin/sh -c`, or an argv array
   * `[program, ...args]`, spawned directly (exec mode: no shell start, no quoting). The result is its trimmed
   * stdout.
   */
  executableTask<A extends unknown[]>(fn: (...args: A) => string | string[] | PromiseLike<string | string[]>, opts: TaskOptions = {}): TaskCall<A, string> {
    const def = this.define(fn, 'executable', opts, 'executableTask');
    return this.callable(def);
  }

  /** A composite task: tasks created inside carry this block as `parent`; the block's future settles with `fn`. */
  block<A extends unknown[], R>(fn: (...args: A) => R, opts: Pick<TaskOptions, 'name' | 'timeoutMs'> = {}): TaskCall<A, Awaited<R>> {
    const def = this.define(fn, 'block', opts, 'block');
    return this.callable(def);
  }

  private callable(def: TaskDef): any {
    const engine = this;
    // `arguments`, not a rest parameter: a call without arguments then allocates no array (one less per task).
    const call = function (): TaskFuture<unknown> {
      const n = arguments.length;
      if (n === 0) return engine.scheduler.call(def, NO_ARGS);
      const args = new Array(n);
      for (let i = 0; i < n; i++) args[i] = arguments[i];
      return engine.scheduler.call(def, args);
    };
    Object.defineProperty(call, 'name', { value: def.name });
    return call;
  }

  private define(fn: unknown, kind: TaskDef['kind'], opts: TaskOptions, decorator: string): TaskDef {
    const name = opts.name ?? (typeof fn === 'function' && fn.name ? fn.name : kind === 'block' ? 'block' : 'task');
    if (typeof fn !== 'function') {
      const got = fn === null ? 'null' : typeof fn;
      throw invalid(name, `${decorator}() expects a function, got ${got}`);
    }
    if (opts.backend !== undefined && kind !== 'block') this.slotByName(opts.backend, name);
    const d = this.defaults;
    const env = d.env || opts.env ? { ...d.env, ...opts.env } : undefined;
    return {
      name, kind, fn: fn as TaskDef['fn'], backendName: opts.backend,
      source: kind === 'function' ? fn.toString() : undefined,
      retries: kind === 'block' ? 0 : (opts.retries ?? d.retries ?? 0),
      timeoutMs: opts.timeoutMs ?? d.timeoutMs, cwd: opts.cwd ?? d.cwd, env, taskDescription: opts.taskDescription,
    };
  }

  private slotFor(def: TaskDef): Slot {
    return def.backendName === undefined ? this.defaultSlot : this.slotByName(def.backendName, def.name);
  }

  private slotByName(name: string, task: string): Slot {
    let slot = this.slots.get(name) ?? (this.defaultSlot.name === name ? this.defaultSlot : undefined);
    if (!slot) {
      // A built-in name: made now, started by its first task, shut down with the engine.
      const builtin = this.closing ? undefined : builtinBackend(name);
      if (builtin) this.slots.set(name, (slot = this.makeSlot(name, builtin, true)));
    }
    if (!slot) {
      const known = [...new Set([...this.backends.keys(), ...BUILTIN_BACKENDS])];
      throw invalid(task, `unknown backend '${name}' (known: ${known.join(', ')})`);
    }
    return slot;
  }

  /** The current default backend. */
  get backend(): Backend {
    return this.defaultSlot.backend;
  }

  /** Name → backend, including the current default under its name. */
  get backends(): Map<string, Backend> {
    const out = new Map<string, Backend>();
    for (const [name, slot] of this.slots) out.set(name, slot.backend);
    if (!out.has(this.defaultSlot.name)) out.set(this.defaultSlot.name, this.defaultSlot.backend);
    return out;
  }

  /**
   * Makes `backend` the default for later task calls (registered under `name` when given). The previous
   * default is shut down once its assigned tasks finish, unless it is registered by name.
   */
  async setBackend(backend: Backend, name?: string): Promise<void> {
    if (this.closing) throw new Error('setBackend: the workflow engine has shut down');
    let slot = [...this.slots.values(), this.defaultSlot].find((s) => s.backend === backend);
    if (!slot) {
      await backend.init?.();
      slot = this.makeSlot(name ?? backend.name, backend, false);
    }
    if (name !== undefined) {
      slot.registered = true;
      this.slots.set(name, slot);
    }
    const previous = this.defaultSlot;
    this.defaultSlot = slot;
    slot.retired = false;
    this.retiredSlots.delete(slot);
    if (previous !== slot && !previous.registered) {
      previous.retired = true;
      this.retiredSlots.add(previous);
      this.maybeRetire(previous);
    }
  }

  private maybeRetire(slot: Slot): void {
    if (slot.assigned === 0 && !slot.closing) slot.closing = slot.backend.shutdown().catch(() => {});
  }

  on(event: 'task', listener: (e: TaskEvent) => void): this {
    if (event !== 'task') throw new Error(`unknown event '${event}'`);
    this.scheduler.on(listener);
    return this;
  }

  off(event: 'task', listener: (e: TaskEvent) => void): this {
    if (event === 'task') this.scheduler.off(listener);
    return this;
  }

  /** Futures of this engine, oldest first: every unfinished one, and finished ones until there are 10,000. */
  get tasks(): TaskFuture<unknown>[] {
    return this.scheduler.tasks.list();
  }

  task(id: string): TaskFuture<unknown> | undefined {
    return this.scheduler.tasks.find(id);
  }

  /** Forgets finished futures (keeps memory flat in long notebook sessions). */
  clearFinished(): void {
    this.scheduler.tasks.forgetFinished();
  }

  /**
   * Cancels every unfinished task created in `group` (see runInGroup), and every task created in it from now
   * on (the group's cell was interrupted). Returns how many were cancelled now.
   */
  cancelGroup(group: string): number {
    return this.scheduler.tasks.cancelGroup(group);
  }

  /** Like Promise.all for futures, without a promise per future (see gather.ts). */
  gather<T extends readonly unknown[] | []>(items: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
    return gather(items);
  }

  get isShutdown(): boolean {
    return this.closing;
  }

  /**
   * Cancels what is pending, gives what runs `graceMs` (default: the engine's shutdownGraceMs, 2 s) to finish,
   * then cancels it (a pool or process task is stopped; an in-loop one is settled and left), and closes every
   * backend. Bounded: an in-loop task that never settles no longer holds it. A second call is a no-op.
   */
  shutdown(opts: { graceMs?: number } = {}): Promise<void> {
    const grace = opts.graceMs ?? this.defaults.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    checkNumber('shutdown', 'graceMs', grace, 0);
    return (this.shutdownPromise ??= this.doShutdown(grace));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  private async doShutdown(graceMs: number): Promise<void> {
    this.scheduler.closing = true;
    WorkflowEngine.open.delete(this);
    const running: TaskFuture<unknown>[] = [];
    for (const f of this.scheduler.tasks.list()) {
      if (f.done) continue;
      if (f.state === 'PENDING') f.cancel();
      if (!f.done) running.push(f);
    }
    let settled: Promise<unknown> = Promise.resolve();
    if (running.length) {
      settled = Promise.all(running.map((f) => f.promise().catch(() => {})));
      await within(settled, graceMs);
      for (const f of running) if (!f.done) f.cancel();
      await within(settled, graceMs);
    }
    const backends = new Set<Backend>([...this.slots.values(), this.defaultSlot].map((s) => s.backend));
    const closings: Promise<unknown>[] = [...backends].map((b) => b.shutdown());
    for (const s of this.retiredSlots) closings.push(s.closing ?? s.backend.shutdown());
    await Promise.allSettled(closings);
    // A closed backend has rejected what it held: let those futures settle before shutdown() returns.
    await within(settled, graceMs);
  }
}

defineRepr<WorkflowEngine>(WorkflowEngine.prototype, (e) => {
  const names = [...e.backends.keys()].map((n) => (e.backends.get(n) === e.backend ? `${n}*` : n));
  const counts = new Map<string, number>();
  for (const f of e.tasks) counts.set(f.state, (counts.get(f.state) ?? 0) + 1);
  const tasks = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ') || 'no tasks';
  return `<WorkflowEngine ${e.isShutdown ? 'shut down, ' : ''}backends ${names.join(', ')}; ${tasks}>`;
});
