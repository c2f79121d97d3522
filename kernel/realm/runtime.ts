// The execution core: runs cells in the user's realm (realm/context.ts) so that every piece of user code can be
// interrupted. Every run of user code is a `runInContext(..., { breakOnSigint: true })`: the cell body; code after
// an await (the realm's own microtask queue drains only inside our runs); timer callbacks; in-loop tasks that the
// engine calls through the host interface. A SIGINT (from the control thread for interrupt_request, or from
// outside) breaks the run; realm/sigint.ts keeps that safe at any moment. An awaited promise that never settles
// is ended by racing the cell against its interrupt.
// How the realm's queue is drained without costing CPU while a cell waits: `await x` is compiled to
// `await __flowbook_await(x)`, which resumes the cell inside a breakable run when x (a host promise, a task
// future) settles; timer callbacks run inside one. What else may queue user microtasks from outside a run is
// drained by a poll (drain-poll.ts), which backs off while nothing runs. The drain used to
// re-arm itself through an async hook after every macrotask, which kept a core busy while a cell awaited
// (1.99 CPU-s for a 2 s sleep) and, by enabling promise hooks, made interrupts inside promise callbacks corrupt
// Node's async stack. Inspector terminateExecution was rejected: it crashes
// Node 20. V8's REPL mode (inspector Runtime.evaluate replMode) was rejected: it aborts Node 22 in GC
// ("Invoke in DisallowJavascriptExecutionScope", measured).
import * as vm from 'node:vm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { asyncStack } from './async-stack';
import { createUserRealm, type UserRealm } from './context';
import { emitSigint } from './sigint';
import { userCodeHoldsThread } from './sigterm';
import { DrainPoll } from './drain-poll';
import { ASYNC_ITER_NAME, AWAIT_NAME, SETTERS_NAME } from '../typescript/transpile';
import { log } from '../log';
import { EPOCH, IN_VM, newVmState, RUN } from './vm-state';

import { KeyboardInterrupt } from '../../extension/engine/errors';

export { KeyboardInterrupt }; // one class for the engine, the magics and the kernel

export interface RunningCell {
  interrupt(): void;
}

const INTERRUPTED = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
const BREAK_ON_SIGINT = { breakOnSigint: true };
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export class Runtime<Store extends object> {
  readonly als = new AsyncLocalStorage<Store>();
  readonly realm: UserRealm;
  private running: RunningCell | null = null;
  private readonly drainScript = new vm.Script('');
  private readonly invokeScript = new vm.Script('__flowbook_invoke()', { filename: 'flowbook-runner' });
  private readonly callScript = new vm.Script('__flowbook_call()', { filename: 'flowbook-runner' });
  /** invoke()'s call, read back by the host function the script calls (cheaper than writing the context). */
  private pendingCall: [(...a: unknown[]) => unknown, unknown, unknown[]] | null = null;
  private pendingInvoke: (() => void) | null = null;
  /** Names that have a script-scope binding in the realm (declared once, assigned by each cell). */
  private readonly bindings = new Set<string>();
  private readonly poll = new DrainPoll(() => this.drain(), () => this.running !== null);

  /**
   * [in a vm run, run counter, cell epoch], shared with the control thread (which signals only a vm run that
   * has lasted a while, i.e. user code that spins) and with the SIGINT holder. Made by main.ts before the
   * runtime exists: the control thread starts first.
   */
  readonly vmState: Int32Array;

  constructor(cwd = process.cwd(), onExit?: (code: number) => void, vmState = newVmState()) {
    this.vmState = vmState;
    this.realm = createUserRealm(cwd, (code) => (this.onExit ?? onExit)?.(code));
    const g = this.realm.global;
    const hidden = (key: string, value: unknown) => Object.defineProperty(g, key, { value, writable: true, configurable: true });
    hidden('__flowbook_call', () => Reflect.apply(...this.pendingCall!));
    hidden('__flowbook_invoke', () => this.pendingInvoke!());
    hidden(AWAIT_NAME, (x: unknown) => this.bridge(x));
    hidden(ASYNC_ITER_NAME, (it: unknown) => this.bridgeIterable(it));
    this.breakableTimers();
  }

  /**
   * The user's names as one object (for magics, completion, %who): the cells' script-scope bindings, then the
   * realm's global object. Reading a binding runs no user code.
   */
  readonly scope: Record<string, any> = new Proxy(Object.create(null), {
    get: (_t, key) => (typeof key === 'string' && this.bindings.has(key) ? this.binding(key, 'get')() : Reflect.get(this.realm.global, key)),
    set: (_t, key, value) => {
      if (typeof key === 'string' && this.bindings.has(key)) this.binding(key, 'set')(value);
      else Reflect.set(this.realm.global, key, value);
      return true;
    },
    has: (_t, key) => (typeof key === 'string' && this.visible(key)) || Reflect.has(this.realm.global, key),
    ownKeys: () => [...new Set([...[...this.bindings].filter((n) => this.visible(n)), ...Reflect.ownKeys(this.realm.global)])],
    getOwnPropertyDescriptor: (_t, key) => {
      if (typeof key === 'string' && this.visible(key)) {
        return { value: this.binding(key, 'get')(), writable: true, enumerable: true, configurable: true };
      }
      const d = Reflect.getOwnPropertyDescriptor(this.realm.global, key);
      return d && { ...d, configurable: true };
    },
    // A script-scope binding cannot be deleted (%reset): it is emptied and hidden until it holds a value again.
    deleteProperty: (_t, key) => {
      if (typeof key !== 'string' || !this.bindings.has(key)) return Reflect.deleteProperty(this.realm.global, key);
      this.binding(key, 'set')(undefined);
      this.forgotten.add(key);
      return true;
    },
    defineProperty: (_t, key, d) => Reflect.defineProperty(this.realm.global, key, d),
  });

  /** Bindings emptied by a delete (%reset): not listed while they hold undefined. */
  private readonly forgotten = new Set<string>();

  private visible(name: string): boolean {
    if (!this.bindings.has(name)) return false;
    if (!this.forgotten.has(name)) return true;
    if (this.binding(name, 'get')() === undefined) return false;
    this.forgotten.delete(name); // assigned again
    return true;
  }

  private binding(name: string, how: 'get' | 'set'): (v?: unknown) => unknown {
    return this.realm.global[SETTERS_NAME][`${how} ${name}`];
  }

  /**
   * Gives each new top-level name a script-scope `let` binding (fast, unlike a property of the vm context's global
   * object) and a setter through which a cell publishes its functions and classes.
   */
  declare(names: string[]): void {
    const reserved = names.find((n) => n.startsWith('__flowbook_'));
    if (reserved) throw new SyntaxError(`${reserved}: names that start with __flowbook_ are reserved for the kernel`);
    for (const n of names) this.forgotten.delete(n); // declared again
    const fresh = names.filter((n) => !this.bindings.has(n) && IDENTIFIER.test(n));
    if (!fresh.length) return;
    const setters = fresh.map((n) => `${SETTERS_NAME}.${n} = ${SETTERS_NAME}['set ${n}'] = (v) => { ${n} = v; }; ${SETTERS_NAME}['get ${n}'] = () => ${n};`).join(' ');
    this.exec(new vm.Script(`let ${fresh.join(', ')}; ${setters}`, { filename: 'flowbook-declare' }));
    for (const n of fresh) this.bindings.add(n);
  }

  /**
   * `await x` in a cell: a host promise or thenable settles in the host's queue, so the cell would resume only at
   * the next drain. This resumes it inside a breakable run, at once. An interrupted cell never resumes.
   */
  private bridge(x: unknown): unknown {
    if ((typeof x !== 'object' && typeof x !== 'function') || x === null || x instanceof this.realm.Promise) return x;
    let then: unknown;
    try {
      then = (x as { then?: unknown }).then;
    } catch {
      return x; // the await itself reads `then` again and rejects with the getter's error
    }
    if (typeof then !== 'function') return x;
    const store = this.als.getStore();
    return new this.realm.Promise((resolve, reject) => {
      const settle = (fn: (v: unknown) => void, v: unknown) => {
        if (store && this.interruptedCells.has(store)) return;
        try {
          this.invoke(fn as (...a: unknown[]) => unknown, undefined, [v]);
        } catch (e) {
          if (!(e instanceof KeyboardInterrupt && e.endedCell)) throw e;
        }
      };
      Promise.resolve(x as PromiseLike<unknown>).then((v) => settle(resolve, v), (e) => settle(reject, e));
    });
  }

  /** `for await (… of it)`: each step's promise goes through bridge(). */
  private bridgeIterable(it: unknown): unknown {
    const source = it as AsyncIterable<unknown> | null;
    if (source === null || source === undefined || typeof source[Symbol.asyncIterator] !== 'function') return it;
    return {
      [Symbol.asyncIterator]: () => {
        const iter = source[Symbol.asyncIterator]();
        return {
          next: (v?: unknown) => this.bridge(iter.next(v)),
          return: (v?: unknown) => this.bridge(iter.return ? iter.return(v) : { done: true, value: v }),
          throw: (e?: unknown) => this.bridge(iter.throw ? iter.throw(e) : Promise.reject(e)),
        };
      },
    };
  }

  /**
   * Timer callbacks from user code run inside a vm run too, so a busy loop in one is breakable and ends with
   * KeyboardInterrupt on the cell that set the timer (the host calls them outside any vm run otherwise).
   */
  private breakableTimers(): void {
    const runtime = this;
    const wrap = <F extends (...a: any[]) => any>(host: F): F => {
      const timer = ((fn: unknown, ...rest: unknown[]) => {
        if (typeof fn !== 'function') return host(fn, ...rest); // Node's own TypeError
        const callback = function (this: unknown, ...args: unknown[]) {
          // An interrupted cell's timers do not fire: its `await sleep()` must not resume and spin later,
          // after the next cell has begun, where nothing would break it.
          if (runtime.interruptedCells.has(runtime.als.getStore() as object)) return;
          try {
            return runtime.invoke(fn as (...a: unknown[]) => unknown, this, args);
          } catch (e) {
            // Reported once, by the cell it ended; else a background error on the cell that set the timer.
            if (!(e instanceof KeyboardInterrupt && e.endedCell)) throw e;
          }
        };
        return host(callback, ...rest);
      }) as F;
      Object.defineProperties(timer, Object.getOwnPropertyDescriptors(host)); // util.promisify.custom
      return timer;
    };
    for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
      Object.defineProperty(this.realm.global, name, { value: wrap(globalThis[name] as any), writable: true, configurable: true });
    }
  }

  /** Calls a user function inside a breakable vm run (timer callbacks, in-loop workflow tasks). */
  invoke(fn: (...a: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
    if (Atomics.load(this.vmState, IN_VM) === 1) return Reflect.apply(fn, thisArg, args); // already breakable: ~2 us less
    const slot = this.pendingCall;
    this.pendingCall = [fn, thisArg, args];
    try {
      return this.exec(this.callScript);
    } catch (e) {
      throw (e as any)?.code === INTERRUPTED ? new KeyboardInterrupt(this.breakEndedCell) : e;
    } finally {
      this.pendingCall = slot;
    }
  }

  /** Runs what the realm's queue holds (user microtasks queued by host callbacks outside any run). */
  private drain(): void {
    try {
      this.exec(this.drainScript);
    } catch (e) {
      if ((e as any)?.code !== INTERRUPTED) log('drain:', e);
    }
  }

  /** Runs a script in the context; an interrupt (SIGINT during it) ends the running cell. */
  exec(script: vm.Script): any {
    const id = asyncStack.enter();
    const nested = Atomics.load(this.vmState, IN_VM) === 1;
    if (!nested) this.beforeUserCode?.();
    if (!nested && script !== this.drainScript) {
      this.poll.userRan();
      userCodeHoldsThread();
    }
    Atomics.store(this.vmState, IN_VM, 1);
    Atomics.add(this.vmState, RUN, 1);
    try {
      return script.runInContext(this.realm.context, BREAK_ON_SIGINT);
    } catch (e) {
      if ((e as any)?.code === INTERRUPTED) {
        asyncStack.repair(id);
        this.breakEndedCell = this.interruptRunning('breakOnSigint');
      }
      throw e;
    } finally {
      if (!nested) Atomics.store(this.vmState, IN_VM, 0);
    }
  }

  compile(js: string, filename: string): vm.Script {
    return new vm.Script(js, {
      filename,
      importModuleDynamically: (vm.constants as any)?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  }

  /** Calls the compiled cell (an uncalled async arrow) inside a run; handlers attach in the same turn. */
  private start(script: vm.Script, onValue: (v: unknown) => void, onError: (e: unknown) => void): void {
    const fn = this.exec(script) as () => PromiseLike<unknown>; // via exec: it may drain queued user microtasks too
    this.pendingInvoke = () => void fn().then(onValue, onError);
    try {
      this.exec(this.invokeScript);
    } finally {
      this.pendingInvoke = null;
    }
  }

  /**
   * Runs a compiled cell under `store` (output routing). Resolves with the cell's value, rejects with its error
   * or KeyboardInterrupt.
   */
  run(script: vm.Script, store: Store): Promise<unknown> {
    if (this.startInterrupted) return Promise.reject(new KeyboardInterrupt());
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        if (this.running === cell) {
          this.running = null;
          this.poll.every('slow');
        }
        f();
      };
      const cell: RunningCell = {
        interrupt: () => {
          this.interruptedCells.add(store);
          finish(() => reject(new KeyboardInterrupt()));
        },
      };
      this.running = cell;
      this.poll.every('slow');
      this.als.run(store, () => {
        try {
          this.start(script, (v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
        } catch (e) {
          finish(() => reject((e as any)?.code === INTERRUPTED ? new KeyboardInterrupt() : e));
        }
      });
    });
  }

  /** Runs a compiled cell (an async arrow) without the interrupt bookkeeping: for magics' evaluate(). */
  call(script: vm.Script): Promise<unknown> {
    return new Promise((resolve, reject) => this.start(script, resolve, reject));
  }

  /** Evaluates an expression synchronously (user_expressions). */
  evaluate(expr: string): unknown {
    return this.exec(new vm.Script(expr, { filename: 'expr' }));
  }

  /**
   * An interrupt for cell `epoch` (from the control thread or an outside SIGINT), or for whatever runs now
   * (`epoch` undefined: a break inside a vm run, interrupt_request on shell). A stale one, for a cell that has
   * ended, is dropped. Code orphaned by the interrupt (a continuation that starts a busy loop later) must stay
   * breakable, so the control thread keeps watching until the event loop has turned freely for 100 ms.
   */
  interruptRunning(how: string, epoch?: number): boolean {
    if (epoch !== undefined && epoch !== this.epoch) {
      log(`interrupt via ${how} for a cell that has ended: ignored`);
      return false;
    }
    if (!this.interruptPending) for (const e of emitSigint()) log('a SIGINT listener failed:', e);
    this.interruptPending = true;
    this.poll.every('fast'); // the control thread sees the loop turn through the drains
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = setTimeout(() => this.settleInterrupt(), 100);
    if (!this.running) {
      // Between execute_input and the vm run (magics, transpile): the cell must not start at all.
      if (this.epoch !== 0) this.startInterrupted = true;
      return false;
    }
    log('interrupt via', how);
    this.onInterrupt?.();
    this.running.interrupt();
    return true;
  }

  private settleInterrupt(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.interruptPending = false;
    if (this.running === null) this.poll.every('slow');
    this.onInterrupted?.();
  }

  /** Output stores (ALS) of cells that were interrupted: their timers and awaits are dropped. */
  readonly interruptedCells = new WeakSet<object>();

  /** The current execute_request (shared as vmState[EPOCH] with the control thread and the SIGINT holder). */
  private epoch = 0;
  private epochs = 0;
  private breakEndedCell = false;
  private startInterrupted = false;

  /** An execute_request is on its way to run(): an interrupt from now on must still stop it. */
  beginCell(): void {
    // An interrupt still settling belongs to the previous cell: settle it now, so that the control thread
    // stops re-sending SIGINT before this cell can start spinning.
    if (this.interruptPending) this.settleInterrupt();
    this.epoch = ++this.epochs;
    Atomics.store(this.vmState, EPOCH, this.epoch);
    this.startInterrupted = false;
  }

  endCell(): void {
    this.epoch = 0;
    Atomics.store(this.vmState, EPOCH, 0);
    this.startInterrupted = false;
  }

  isRunning(): boolean {
    return this.running !== null;
  }

  onInterrupt?: () => void;
  /** User code is about to hold the thread: output published so far must go out now (protocol/outbound.ts). */
  beforeUserCode?: () => void;
  /** process.exit() in a cell: the kernel shuts down cleanly once the cell has ended. */
  onExit?: (code: number) => void;
  /** Called once the interrupt reached the cell (the control thread then stops re-sending SIGINT). */
  onInterrupted?: () => void;
  private interruptPending = false;
  private ackTimer: NodeJS.Timeout | null = null;
}
