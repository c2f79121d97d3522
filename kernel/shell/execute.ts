// One execute_request: magics -> transpile -> run in the user's realm -> execute_result / error.
import type { Message } from '../protocol/wire';
import type { ExecuteReply } from '../protocol/shell-api';
import { CellOutput, Publish } from './output';
import { Runtime, KeyboardInterrupt } from '../realm/runtime';
import { compileCell } from '../typescript/transpile';
import { errorContent } from './errors';
import { rememberCell } from './cell-sources';
import { toBundle } from './mime';
import { makeDisplay } from './display';
import { loadPrelude, Prelude, PRELUDE } from './prelude';
import { createMagics } from '../../extension/magics/index';
import { WorkflowEngine } from '../../extension/engine/engine';
import { NO_AWAIT } from '../../extension/engine/repr';
import { MAGIC_GLOBAL } from '../../extension/magics/types';
import { log, logInfo } from '../log';
import { saveTypescriptCache } from '../typescript/ts-cache';
import { inputFunctions, Stdin } from '../protocol/stdin';
import { LanguageClient } from '../typescript/language-client';
import { CellCheck } from '../typescript/cell-check';
import { UserHistory } from './user-history';
import { HistoryRequest, SessionHistory } from './history';

export type { ExecuteReply };

/** What main.ts makes before the shell loads: the memory shared with the control thread, the language worker. */
export interface ShellParts {
  vmState?: Int32Array;
  language?: LanguageClient;
}
export type Magics = ReturnType<typeof createMagics>;

export class Executor {
  readonly runtime: Runtime<CellOutput>;
  /** The one TypeScript model (a worker): type checks, completion, inspect. */
  readonly language: LanguageClient;
  /** `_`, `Out`, `In` in the user's scope. */
  readonly results: UserHistory;
  private check: CellCheck | null = null;
  /** A warn-mode cell's code, checked once it has run (null: nothing to check). */
  private uncheckedCode: string | null | undefined = undefined;
  count = 0;
  private seq = 0;
  private readonly inputs = new SessionHistory();
  readonly magics: Magics = createMagics();
  private prelude!: Prelude; // set by init(), which every cell awaits first
  private ready: Promise<void> | null = null;
  private lastCell: CellOutput | null = null;

  constructor(private readonly publish: Publish, stdin?: Stdin, parts: ShellParts = {}) {
    this.runtime = new Runtime<CellOutput>(process.cwd(), undefined, parts.vmState);
    this.language = parts.language ?? new LanguageClient();
    const current = () => this.runtime.als.getStore();
    const g = this.runtime.realm.global;
    g.display = makeDisplay(current);
    // input only for the cell that is running now (a timer of a finished cell has no one to ask)
    if (stdin) Object.assign(g, inputFunctions(stdin, () => (this.runtime.isRunning() && current() === this.lastCell ? current()?.input : undefined)));
    // page(x): the pager payload of execute_reply (like IPython's `x?`).
    g.page = (v: unknown) => void current()?.payload.push({ source: 'page', data: toBundle(v), start: 0 });
    this.results = new UserHistory(g);
  }

  /** The cell whose code is running now (AsyncLocalStorage), else the latest: where background output goes. */
  currentCell(): CellOutput | null {
    return this.runtime.als.getStore() ?? this.lastCell;
  }

  /** Loads the prelude and the engine; the first cell waits for it, kernel_info does not. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      this.language.start(PRELUDE); // its program builds on its own thread while the first cell is typed
      this.prelude = await loadPrelude();
      Object.assign(this.runtime.realm.global, this.prelude.names);
      if (this.prelude.flow) this.runtime.realm.global.flow = this.prelude.flow;
      this.magics.hide(Object.keys(this.runtime.scope)); // before any cell: a first cell's names are the user's
      compileCell('const warm: number = 1; warm'); // warms the TypeScript emitter (first call ~45 ms)
      setImmediate(saveTypescriptCache); // with what start-up compiled; only when missing or stale
    })().catch((e) => log('init failed:', e));
    return this.ready;
  }

  /**
   * Kernel exit (shutdown/restart/SIGTERM): cancel every unfinished task of the session's engines, which kills
   * their processes and scancels their jobs, then close the backends. Bounded: jupyter_client sends SIGTERM to
   * the kernel's process group after 2.5 s, and detached executables are outside that group.
   */
  async stopWorkflows(ms: number): Promise<void> {
    const done = WorkflowEngine.live().map(async (f) => {
      for (const t of f.tasks) if (!t.done) t.cancel();
      await f.shutdown();
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((r) => (timer = setTimeout(() => r('timed out'), ms)));
    const how = await Promise.race([Promise.allSettled(done).then(() => 'done'), late]);
    clearTimeout(timer);
    if (how !== 'done') log(`stopping workflows ${how} after ${ms} ms`);
  }

  /** A failure nobody awaited (a timer's throw, an unhandled rejection): an error output on its cell. */
  background(err: unknown, cell: CellOutput | null | undefined): void {
    const target = cell ?? this.lastCell;
    log('background error', target ? `-> cell ${target.executionCount}` : '(no cell)', err); // log and errorContent are total
    target?.send('error', errorContent(err));
  }

  async execute(msg: Message): Promise<ExecuteReply> {
    const c = msg.content;
    const code = String(c.code ?? '');
    const silent = !!c.silent;
    const storeHistory = c.store_history ?? !silent;
    if (storeHistory) this.count++;
    const n = this.count;
    if (storeHistory) (this.inputs.input(n, code), this.results.input(n, code));
    this.runtime.beginCell();
    if (!silent) this.publish('execute_input', { code, execution_count: n }, msg.header);
    const out = new CellOutput(silent ? () => {} : this.publish, msg.header, n);
    out.input = { parent: msg.header, identities: msg.identities, allowed: !!c.allow_stdin, flush: () => out.flush() };
    this.lastCell = out;
    await this.init();
    try {
      const value = unbox(await this.run(code, out, storeHistory ? `cell-${n}.ts` : `cell-${n}-${++this.seq}.ts`));
      if (value !== undefined) {
        const data = toBundle(value);
        if (storeHistory) (this.inputs.output(n, String(data['text/plain'])), this.results.output(n, value));
        out.send('execute_result', { execution_count: n, data, metadata: {} });
      }
      const metadata = await this.checked(out, !c.allow_stdin);
      out.flush();
      return { status: 'ok', execution_count: n, payload: out.payload, user_expressions: this.userExpressions(c.user_expressions), metadata };
    } catch (err) {
      await this.magics.settle(2000); // an interrupted %%flow's final table and chart go out before the error
      const content = errorContent(err);
      out.send('error', content);
      const metadata = await this.checked(out, !c.allow_stdin);
      return { status: 'error', execution_count: n, ...content, metadata };
    } finally {
      this.runtime.endCell(); // also when the cell failed before its vm run (e.g. a UsageError)
    }
  }

  private async run(code: string, out: CellOutput, filename: string): Promise<unknown> {
    // A cell magic becomes one call with the body as a string: nothing there for the type checker.
    const cellMagic = /^\s*%%/.test(code);
    code = this.magics.transform(code);
    const compiled = compileCell(code);
    logInfo(`${filename}: transpiled in ${compiled.transpileMs.toFixed(2)} ms`);
    rememberCell(filename, compiled);
    // Strict: checked before it runs. Warn: checked when it ends, so that a cell which awaits costs no CPU while
    // it waits (a check builds a new program and checker: 1.5-14 ms of CPU here, growing with the notebook).
    if (this.language.mode === 'strict') this.check = await CellCheck.begin(this.language, cellMagic ? null : code);
    else this.uncheckedCode = cellMagic ? null : code;
    this.runtime.declare(compiled.declared);
    const script = this.runtime.compile(compiled.js, filename);
    const group = filename.replace(/\.ts$/, '');
    const abort = new AbortController();
    this.runtime.onInterrupt = () => {
      abort.abort(new KeyboardInterrupt());
      // every engine: one the user created in a cell runs this cell's tasks too
      for (const f of WorkflowEngine.live()) {
        try {
          f.cancelGroup(group);
        } catch (e) {
          log('cancelGroup failed:', e);
        }
      }
    };
    Object.defineProperty(this.runtime.realm.global, MAGIC_GLOBAL, {
      configurable: true,
      writable: true,
      value: this.magics.bind({
        out,
        scope: this.runtime.scope,
        signal: abort.signal,
        executionCount: out.executionCount,
        evaluate: (src: string) => this.evaluateCode(src, out, `${group}-magic-${++this.seq}.ts`),
        ...this.magicServices(out),
      }),
    });
    const result = (await this.prelude.runInGroup(group, () => this.runtime.run(script, out))) as unknown[] | undefined;
    const last = Array.isArray(result) ? result[0] : undefined;
    // A thenable marked noAwait (a TaskFuture) is shown as it is; returning it bare would await it.
    return isNoAwait(last) ? new NotAwaited(last) : last;
  }

  /** What `name?`, %history and %reset need from the kernel (extension/magics/types.ts MagicContext). */
  private magicServices(out: CellOutput) {
    return {
      inspect: (code: string, cursor: number) => this.language.inspect(code, cursor, 15_000),
      page: (text: string) => void out.payload.push({ source: 'page', data: { 'text/plain': text }, start: 0 }),
      history: () => this.inputs.cells(),
      clearResults: () => this.results.clear(),
      forgetDeclarations: (names: string[]) => this.language.forget(names),
    };
  }

  /** The cell's type warnings before its reply when they come in time (cell-check.ts); else reply says so. */
  private async checked(out: CellOutput, batch: boolean): Promise<Record<string, unknown>> {
    if (this.uncheckedCode !== undefined) this.check = await CellCheck.begin(this.language, this.uncheckedCode);
    this.uncheckedCode = undefined;
    const check = this.check;
    this.check = null;
    return check && (await check.deliver(out, batch)) ? { typecheck: 'pending' } : {};
  }

  /** Runs TypeScript like a cell body (for magics) and resolves with its last expression's value. */
  private async evaluateCode(src: string, out: CellOutput, filename: string): Promise<unknown> {
    const compiled = compileCell(src);
    rememberCell(filename, compiled);
    this.runtime.declare(compiled.declared);
    const r = (await this.runtime.als.run(out, () => this.runtime.call(this.runtime.compile(compiled.js, filename)))) as unknown[] | undefined;
    return Array.isArray(r) ? r[0] : undefined;
  }

  private userExpressions(exprs: Record<string, string> | undefined): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [k, expr] of Object.entries(exprs ?? {})) {
      try {
        result[k] = { status: 'ok', data: toBundle(this.runtime.evaluate(String(expr))), metadata: {} };
      } catch (e) {
        result[k] = { status: 'error', ...errorContent(e) };
      }
    }
    return result;
  }

  /** history_request (history.ts). */
  history(c: HistoryRequest): unknown[] {
    return this.inputs.request(c);
  }

  /** For completion/inspection: the user's names. */
  get scope(): Record<string, any> {
    return this.runtime.scope;
  }
}

/** Carries a noAwait value through the async return that would otherwise adopt (await) it. */
class NotAwaited {
  constructor(readonly value: unknown) {}
}

function isNoAwait(v: unknown): boolean {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return false;
  try {
    return (v as Record<symbol, unknown>)[NO_AWAIT] === true;
  } catch {
    return false; // a Proxy whose get trap throws
  }
}

const unbox = (v: unknown): unknown => (v instanceof NotAwaited ? v.value : v);
