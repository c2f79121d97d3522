// The user's realm: a vm context with its own microtask queue, so that every piece of user code (the cell body,
// code after an await, promise callbacks, timer callbacks) runs inside runInContext(..., { breakOnSigint: true })
// and can be interrupted, even `await sleep(); while (true) {}`.
// Mechanism chosen from measurements (docs/kernel.md): microtaskMode 'afterEvaluate' + a drain after each
// macrotask (an async hook's `after` schedules one setImmediate drain). kernel/sigint.ts holds Node's SIGINT
// watchdog for the process, which makes breakOnSigint cost ~1 us and a SIGINT safe at any moment, so every run
// breaks on SIGINT. The signal comes from the control thread (interrupt_request) or from outside. An awaited
// promise that never settles is ended by racing the cell against its interrupt. Inspector terminateExecution was
// rejected: it crashes Node 20.
import * as vm from 'node:vm';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { AsyncLocalStorage, createHook, executionAsyncId } from 'node:async_hooks';
import { currentId, popTo } from './async-stack';
import { IMPORT_DEFAULT_NAME } from '../typescript/transpile';
import { emitSigint, holdSigint, reclaimSigint } from './sigint';
import { log } from '../log';
import { EPOCH, IN_VM, newVmState, RUN } from './vm-state';

export class KeyboardInterrupt extends Error {
  override name = 'KeyboardInterrupt';
  /** @param endedCell the same interrupt already ended the running cell, which reported it */
  constructor(readonly endedCell = false) {
    super('interrupted by the user');
  }
}

export interface RunningCell {
  interrupt(): void;
}

const INTERRUPTED = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
const BREAK_ON_SIGINT = { breakOnSigint: true };

export class Runtime<Store extends object> {
  readonly als = new AsyncLocalStorage<Store>();
  readonly context: vm.Context;
  readonly scope: Record<string, any>;
  private running: RunningCell | null = null;
  private drainScheduled = false;
  private drainId = -1;
  private readonly drainScript = new vm.Script('');
  private readonly invokeScript = new vm.Script('globalThis.__flowbook_invoke()', { filename: 'flowbook-runner' });
  private readonly callScript = new vm.Script('__flowbook_call()', { filename: 'flowbook-runner' });
  /** invoke()'s call, read back by the host function the script calls (cheaper than writing the context). */
  private pendingCall: [(...a: unknown[]) => unknown, unknown, unknown[]] | null = null;

  constructor(cwd = process.cwd()) {
    const req = createRequire(path.join(cwd, '[notebook]'));
    const sandbox: Record<string, unknown> = {
      require: req,
      module: { exports: {}, require: req },
      exports: {},
      __filename: path.join(cwd, '[notebook]'),
      __dirname: cwd,
      [IMPORT_DEFAULT_NAME]: (m: any) => (m && m.__esModule && 'default' in m ? m.default : m),
    };
    this.context = vm.createContext(sandbox, { name: 'flowbook', microtaskMode: 'afterEvaluate' });
    this.scope = vm.runInContext('globalThis', this.context);
    // Host globals the fresh realm lacks (process, Buffer, timers, fetch, URL, ...).
    for (const k of Object.getOwnPropertyNames(globalThis)) {
      if (!(k in this.scope)) Object.defineProperty(this.scope, k, Object.getOwnPropertyDescriptor(globalThis, k)!);
    }
    this.scope.global = this.scope;
    this.scope.console = console; // V8's context console prints nowhere; the host's is routed per cell
    // Our own drain re-arms itself only while a cell runs or an interrupt is settling (the interrupt logic relies
    // on drains turning); when idle it re-armed forever: ~70% of a core and growing garbage in an idle kernel.
    createHook({ after: (id) => (id !== this.drainId || this.running !== null || this.interruptPending) && this.scheduleDrain() }).enable();
    holdSigint();
    this.scope.__flowbook_call = () => Reflect.apply(...this.pendingCall!);
    this.breakableTimers();
  }

  /**
   * Timer callbacks from user code run inside a vm run too, so a busy loop in one is breakable and ends with
   * KeyboardInterrupt on the cell that set the timer (the host calls them outside any vm run otherwise).
   */
  private breakableTimers(): void {
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
    const runtime = this;
    for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) this.scope[name] = wrap(globalThis[name] as any);
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

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainId = executionAsyncId();
      this.drainScheduled = false;
      try {
        this.exec(this.drainScript);
      } catch (e) {
        if ((e as any)?.code !== INTERRUPTED) log('drain:', e);
      }
    });
  }

  /** Runs a script in the context; an interrupt (SIGINT during it) ends the running cell. */
  exec(script: vm.Script): any {
    const id = currentId();
    if (reclaimSigint()) log('process.on("SIGINT") listeners: the kernel calls them on interrupt');
    const nested = Atomics.load(this.vmState, IN_VM) === 1;
    Atomics.store(this.vmState, IN_VM, 1);
    Atomics.add(this.vmState, RUN, 1);
    try {
      return script.runInContext(this.context, BREAK_ON_SIGINT);
    } catch (e) {
      if ((e as any)?.code === INTERRUPTED) {
        popTo(id);
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
        if (this.running === cell) this.running = null;
        f();
      };
      const cell: RunningCell = {
        interrupt: () => {
          this.interruptedCells.add(store);
          finish(() => reject(new KeyboardInterrupt()));
        },
      };
      this.running = cell;
      this.als.run(store, () => {
        try {
          const fn = this.exec(script) as () => PromiseLike<unknown>; // via exec: it may drain queued user microtasks too
          this.scope.__flowbook_invoke = () => {
            fn().then((v) => finish(() => resolve(v)), (e) => finish(() => reject(e)));
          };
          this.exec(this.invokeScript);
        } catch (e) {
          finish(() => reject((e as any)?.code === INTERRUPTED ? new KeyboardInterrupt() : e));
        }
      });
    });
  }

  /** Runs a compiled cell (an async arrow) without the interrupt bookkeeping: for magics' evaluate(). */
  call(script: vm.Script): Promise<unknown> {
    const fn = this.exec(script) as () => PromiseLike<unknown>; // via exec: it may drain queued user microtasks too
    return new Promise((resolve, reject) => {
      this.scope.__flowbook_invoke = () => fn().then(resolve, reject);
      this.exec(this.invokeScript);
    });
  }

  /** Evaluates an expression synchronously (user_expressions, completion of `obj.`). */
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
    this.onInterrupted?.();
  }

  /** Output stores (ALS) of cells that were interrupted: their timers are dropped. */
  readonly interruptedCells = new WeakSet<object>();

  /** The current execute_request (shared as vmState[EPOCH] with the control thread and the SIGINT listener). */
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
  /** Called once the interrupt reached the cell (the control thread then stops re-sending SIGINT). */
  onInterrupted?: () => void;
  private interruptPending = false;
  /**
   * [in a vm run, run counter, cell epoch], shared with the control thread (which signals only a vm run that
   * has lasted a while, i.e. user code that spins) and with the SIGINT listener.
   */
  readonly vmState = newVmState();
  private ackTimer: NodeJS.Timeout | null = null;
}
