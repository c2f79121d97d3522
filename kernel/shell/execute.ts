// One execute_request: magics -> transpile -> run in the user's realm -> execute_result / error.
import type { Header, Message } from '../protocol/wire';
import { CellOutput, Publish } from './output';
import { Runtime, KeyboardInterrupt } from '../realm/runtime';
import { compileCell } from '../typescript/transpile';
import { errorContent, rememberCell } from './errors';
import { toBundle } from './mime';
import { makeDisplay } from './display';
import { Engine, loadEngine, loadMagics, Magics, setUserCall, WorkflowEngine } from './bridges';
import { routeProcessOutput } from './routing';
import { MAGIC_GLOBAL } from '../../extension/magics/types';
import { log } from '../log';
import { saveTypescriptCache } from '../typescript/ts-cache';
import { inputFunctions, Stdin } from '../protocol/stdin';
import { NotebookService } from '../typescript/language-service';
import { Typechecker, TypeScriptError } from '../typescript/typecheck';

export interface ExecuteReply {
  status: 'ok' | 'error';
  execution_count: number;
  [k: string]: unknown;
}

export class Executor {
  readonly runtime = new Runtime<CellOutput>();
  readonly notebook = new NotebookService();
  readonly typechecker = new Typechecker();
  count = 0;
  private seq = 0;
  private readonly entries: [number, number, string][] = [];
  private readonly outputs = new Map<number, string>();
  readonly magics: Magics = loadMagics();
  private engine!: Engine; // set by init(), which every cell awaits first
  private ready: Promise<void> | null = null;
  private lastCell: CellOutput | null = null;

  constructor(private readonly publish: Publish, stdin?: Stdin) {
    const current = () => this.runtime.als.getStore();
    routeProcessOutput(current);
    setUserCall((fn, args) => this.runtime.invoke(fn, undefined, args)); // in-loop tasks stay interruptible
    this.runtime.scope.display = makeDisplay(current);
    // input only for the cell that is running now (a timer of a finished cell has no one to ask)
    if (stdin) Object.assign(this.runtime.scope, inputFunctions(stdin, () => (this.runtime.isRunning() && current() === this.lastCell ? current()?.input : undefined)));
    // page(x): the pager payload of execute_reply (like IPython's `x?`).
    this.runtime.scope.page = (v: unknown) => current()?.payload.push({ source: 'page', data: toBundle(v), start: 0 });
    // Background failures go to the cell whose code started the work (its ALS store), else the latest cell.
    process.on('uncaughtException', (err) => this.background(err, current()));
    process.on('unhandledRejection', (reason, promise) =>
      this.background(reason, (promise as any)?.[(this.runtime.als as any).kResourceStore] ?? current()));
  }

  /** Loads magics and the engine; the first cell waits for it, kernel_info does not. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      this.engine = await loadEngine();
      Object.assign(this.runtime.scope, this.engine.exports);
      if (this.engine.flow) this.runtime.scope.flow = this.engine.flow;
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

  private background(err: unknown, cell: CellOutput | null | undefined): void {
    const target = cell ?? this.lastCell;
    log('background error', target ? `-> cell ${target.executionCount}` : '(no cell)', (err as Error)?.stack ?? err);
    target?.send('error', errorContent(err));
  }

  async execute(msg: Message): Promise<ExecuteReply> {
    const c = msg.content;
    const code = String(c.code ?? '');
    const silent = !!c.silent;
    const storeHistory = c.store_history ?? !silent;
    if (storeHistory) this.count++;
    const n = this.count;
    if (storeHistory) this.entries.push([0, n, code]);
    this.runtime.beginCell();
    if (!silent) this.publish('execute_input', { code, execution_count: n }, msg.header);
    const out = new CellOutput(silent ? () => {} : this.publish, msg.header, n);
    out.input = { parent: msg.header, identities: msg.identities, allowed: !!c.allow_stdin, flush: () => out.flush() };
    this.lastCell = out;
    await this.init();
    try {
      const value = await this.run(code, out, storeHistory ? `cell-${n}.ts` : `cell-${n}-${++this.seq}.ts`);
      this.notebook.addCell(code);
      if (value !== undefined) {
        const data = toBundle(value);
        if (storeHistory) this.outputs.set(n, String(data['text/plain']));
        out.send('execute_result', { execution_count: n, data, metadata: {} });
      }
      out.flush();
      return { status: 'ok', execution_count: n, payload: out.payload, user_expressions: this.userExpressions(c.user_expressions) };
    } catch (err) {
      const content = errorContent(err);
      out.send('error', content);
      return { status: 'error', execution_count: n, ...content };
    } finally {
      this.runtime.endCell(); // also when the cell failed before its vm run (e.g. a UsageError)
    }
  }

  private async run(code: string, out: CellOutput, filename: string): Promise<unknown> {
    // A cell magic becomes one call with the body as a string: nothing there for the type checker.
    const cellMagic = /^\s*%%/.test(code);
    code = this.magics.transform(code);
    const compiled = compileCell(code);
    log(`${filename}: transpiled in ${compiled.transpileMs.toFixed(2)} ms`);
    rememberCell(filename, compiled);
    const checked = cellMagic ? Promise.resolve([]) : this.typechecker.check(code, () => [...Object.keys(this.engine.exports), 'flow', 'display', 'page', 'prompt', 'confirm', 'input', MAGIC_GLOBAL]);
    if (this.typechecker.mode === 'strict') {
      const errors = await checked;
      if (errors.length) throw new TypeScriptError(errors.join('\n'));
    } else {
      // warnings arrive when the checker is done; they go to this cell even if it has finished by then
      void checked.then((ws) => ws.length && out.stderr(ws.map((w) => `type warning: ${w}\n`).join('')));
    }
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
    this.runtime.scope[MAGIC_GLOBAL] = this.magics.bind({
      out,
      scope: this.runtime.scope,
      signal: abort.signal,
      executionCount: out.executionCount,
      evaluate: (src: string) => this.evaluateCode(src, out, `${group}-magic-${++this.seq}.ts`),
    });
    const result = (await this.engine.runInGroup(group, () => this.runtime.run(script, out))) as unknown[] | undefined;
    return Array.isArray(result) ? result[0] : undefined;
  }

  /** Runs TypeScript like a cell body (for magics) and resolves with its last expression's value. */
  private async evaluateCode(src: string, out: CellOutput, filename: string): Promise<unknown> {
    const compiled = compileCell(src);
    rememberCell(filename, compiled);
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

  /** history_request: tail, range and search (glob pattern, unique, n), over this session's cells. */
  history(c: { hist_access_type?: string; n?: number; pattern?: string; output?: boolean; unique?: boolean; start?: number; stop?: number }): unknown[] {
    let h = this.entries.slice();
    if (c.hist_access_type === 'range') h = h.filter(([, line]) => line >= (c.start ?? 0) && (c.stop === undefined || c.stop === null || line < c.stop));
    if (c.hist_access_type === 'search') {
      const glob = (c.pattern ?? '*').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
      const re = new RegExp(`^${glob}$`, 's');
      h = h.filter((e) => re.test(e[2]));
      if (c.unique) {
        const seen = new Set<string>();
        h = h.reverse().filter((e) => !seen.has(e[2]) && seen.add(e[2])).reverse();
      }
    }
    if (c.n && c.hist_access_type !== 'range') h = h.slice(-c.n);
    return c.output ? h.map(([s, l, src]) => [s, l, [src, this.outputs.get(l) ?? null]]) : h;
  }

  /** For completion/inspection: the user's global object. */
  get scope(): Record<string, any> {
    return this.runtime.scope;
  }
}

export type { Header };
