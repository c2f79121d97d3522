// The user's realm: a vm context with its own microtask queue, so that every piece of user code (the cell body,
// code after an await, promise callbacks) runs inside runInContext(..., { breakOnSigint: true }) and can be
// interrupted, even `await sleep(); while (true) {}`.
// Mechanism chosen from measurements (docs/kernel.md): microtaskMode 'afterEvaluate' + a drain after each
// macrotask (an async hook's `after` schedules one setImmediate drain); draining costs ~1 us, ~50 us with
// breakOnSigint, so breakOnSigint is only used while a cell runs. The signal comes from the control thread
// (interrupt_request) or from outside (SIGINT). An awaited promise that never settles is ended by racing the cell
// against its interrupt. Inspector terminateExecution was rejected: it crashes Node 20.
import * as vm from 'node:vm';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { AsyncLocalStorage, createHook, executionAsyncId } from 'node:async_hooks';
import { currentId, popTo } from './async-stack';
import { IMPORT_DEFAULT_NAME } from './transpile';
import { log, logDebug } from './log';
const logDebugSig = () => logDebug('SIGINT listener');

export class KeyboardInterrupt extends Error {
  override name = 'KeyboardInterrupt';
  constructor() {
    super('interrupted by the user');
  }
}

export interface RunningCell {
  interrupt(): void;
}

const INTERRUPTED = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';

export class Runtime<Store extends object> {
  readonly als = new AsyncLocalStorage<Store>();
  readonly context: vm.Context;
  readonly scope: Record<string, any>;
  private running: RunningCell | null = null;
  private drainScheduled = false;
  private drainId = -1;
  private readonly drainScript = new vm.Script('');
  private readonly invokeScript = new vm.Script('globalThis.__flowbook_invoke()', { filename: 'flowbook-runner' });

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
    process.on('SIGINT', () => {
      logDebugSig();
      this.interruptRunning('signal');
    });
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
    Atomics.store(this.vmState, 0, 1);
    Atomics.add(this.vmState, 1, 1);
    try {
      return script.runInContext(this.context, this.running || this.interruptPending ? { breakOnSigint: true } : undefined);
    } catch (e) {
      if ((e as any)?.code === INTERRUPTED) {
        popTo(id);
        this.interruptRunning('breakOnSigint');
      }
      throw e;
    } finally {
      Atomics.store(this.vmState, 0, 0);
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
    // An interrupt still settling belongs to the previous cell: settle it now, or the control thread's re-sent
    // SIGINT would break this cell if it starts spinning within the 100 ms window (seen in reliability tests).
    if (this.interruptPending) {
      if (this.ackTimer) clearTimeout(this.ackTimer);
      this.interruptPending = false;
      this.onInterrupted?.();
    }
    const interruptedEarly = this.startInterrupted;
    this.endCell();
    if (interruptedEarly) return Promise.reject(new KeyboardInterrupt());
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        if (this.running === cell) this.running = null;
        f();
      };
      const cell: RunningCell = { interrupt: () => finish(() => reject(new KeyboardInterrupt())) };
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
   * Ends the running cell. Code orphaned by an earlier interrupt (a continuation that starts a busy loop later)
   * must stay breakable, so drains keep breakOnSigint until the event loop has turned freely for 100 ms after the
   * last interrupt; only then is the control thread told to stop re-sending SIGINT.
   */
  interruptRunning(how: string): void {
    this.interruptPending = true;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = setTimeout(() => {
      this.interruptPending = false;
      this.onInterrupted?.();
    }, 100);
    if (!this.running) {
      // interrupt_request between execute_input and the vm run (magics, transpile) was lost and the cell then
      // ran forever; only the control message counts here, so a re-sent SIGINT cannot reach the next cell.
      if (this.starting && how === 'control message') this.startInterrupted = true;
      return;
    }
    log('interrupt via', how);
    this.onInterrupt?.();
    this.running.interrupt();
  }

  private starting = false;
  private startInterrupted = false;

  /** An execute_request is on its way to run(): an interrupt_request from now on must still stop it. */
  beginCell(): void {
    this.starting = true;
    this.startInterrupted = false;
  }

  endCell(): void {
    this.starting = false;
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
   * [in a vm run, run counter], shared with the control thread. Measured: a SIGINT that lands while
   * runInContext sets up or tears down its watchdog kills the process (listeners removed, default handler
   * active), so the control thread only signals while one vm run has lasted a while (user code is spinning).
   */
  readonly vmState = new Int32Array(new SharedArrayBuffer(8));
  private ackTimer: NodeJS.Timeout | null = null;
}
