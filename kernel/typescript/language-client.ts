// The main thread's side of the language worker. Started with the kernel (the program build, ~1 s, happens
// there while the user types the first cell); every question is asynchronous, so neither the shell loop nor a
// cell ever blocks on it.
// Checks: FLOWBOOK_TYPECHECK "warn" (default: type errors are stderr warnings on the cell, which runs anyway),
// "strict" (the cell fails on type errors, before it runs) or "off" (cells are still recorded for completion).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../log';

export type TypecheckMode = 'warn' | 'strict' | 'off';

export type LanguageRequest =
  | { kind: 'warm' }
  | { kind: 'record'; code: string }
  | { kind: 'forget'; names: string[] }
  | { kind: 'check'; id: number; code: string }
  | { kind: 'complete'; id: number; code: string; cursor: number }
  | { kind: 'inspect'; id: number; code: string; cursor: number };

export type LanguageAnswer =
  | { kind: 'warm' }
  | { kind: 'check'; id: number; warnings: string[]; changed: boolean }
  | { kind: 'complete'; id: number; names: string[]; member: boolean }
  | { kind: 'inspect'; id: number; text: string | null };

type Asked = Extract<LanguageRequest, { id: number }>;
type Answered = Extract<LanguageAnswer, { id: number }>;
type AnswerTo<K extends Asked['kind']> = Extract<LanguageAnswer, { kind: K }>;

export class TypeScriptError extends Error {
  override name = 'TypeScriptError';
}

export class LanguageClient {
  readonly mode: TypecheckMode = (['warn', 'strict', 'off'].includes(process.env.FLOWBOOK_TYPECHECK ?? '') ? process.env.FLOWBOOK_TYPECHECK : 'warn') as TypecheckMode;
  private worker: Worker | null = null;
  private seq = 0;
  private readonly waiting = new Map<number, (a: Answered | null) => void>();
  /**
   * The program is built (the worker's first ~0.5-1 s). Before that a check queues behind the build and cannot
   * finish within a cell's wait, so the reply does not wait for it.
   */
  warm = false;

  private preloaded: readonly string[] = [];

  private get thread(): Worker {
    if (this.worker) return this.worker;
    // The young generation: the model's garbage is short-lived, and bigger semi-spaces cost RSS (8 -> 4 MB:
    // kernel RSS 197-198 -> 193 MB, before the malloc setting of node-flags.ts). At 4 MB, each new cell's check
    // (a new program) paid for scavenges: 16 MB took 1.3 ms off a new trivial cell's round trip (8.2 -> 6.9 ms
    // through jupyter_client) for 10 MB of RSS (lang bench: 162 -> 172 MB; 2026-12-08, load ~1.5).
    const w = new Worker(path.join(__dirname, 'language-worker.js'), {
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
      workerData: { preloaded: this.preloaded },
    });
    w.unref();
    w.on('message', (a: LanguageAnswer) => {
      if (a.kind === 'warm') {
        this.warm = true;
        return;
      }
      this.waiting.get(a.id)?.(a);
      this.waiting.delete(a.id);
    });
    w.on('error', (e) => log('language worker failed:', e));
    w.on('exit', () => {
      // Whatever it had not answered gets no answer (callers fall back); the next question starts a new one.
      if (this.worker === w) {
        this.worker = null;
        this.warm = false;
        this.checked.clear(); // a new worker starts from an empty notebook
      }
      for (const done of this.waiting.values()) done(null);
      this.waiting.clear();
    });
    this.worker = w;
    w.postMessage({ kind: 'warm' } satisfies LanguageRequest);
    return w;
  }

  /** Starts the worker and builds the program now; `preloaded`: the package's exports that cells find in scope. */
  start(preloaded: readonly string[]): void {
    this.preloaded = preloaded;
    void this.thread;
  }

  private ask<R extends Asked>(req: Omit<R, 'id'>, timeoutMs?: number): Promise<AnswerTo<R['kind']> | null> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => (this.waiting.delete(id), resolve(null)), timeoutMs);
      this.waiting.set(id, (a) => (clearTimeout(timer), resolve(a as AnswerTo<R['kind']> | null)));
      this.thread.postMessage({ ...req, id });
    });
  }

  /**
   * Check results by cell text, valid while no cell changes what later cells are checked against (the
   * worker says so with each answer). Re-running an unchanged cell is common, and the worker's answer alone
   * cost ~1 ms here: two thread wake-ups, on a reply path of ~2.4 ms.
   */
  private readonly checked = new Map<string, { warnings: string[]; changed: boolean }>();

  /** Type errors of the cell as the next one of the notebook (which then counts as executed). */
  async check(code: string): Promise<string[]> {
    const known = this.mode === 'off' ? undefined : this.checked.get(code);
    if (this.mode === 'off' || known) {
      // Recording a cell that changes nothing would be a no-op there; a post wakes the worker (~65 us here).
      if (!known || known.changed) this.thread.postMessage({ kind: 'record', code } satisfies LanguageRequest);
      if (known?.changed) this.checked.clear();
      return known?.warnings ?? [];
    }
    const a = await this.ask<Extract<Asked, { kind: 'check' }>>({ kind: 'check', code });
    if (!a) return [];
    if (a.changed) this.checked.clear();
    if (this.checked.size >= 256) this.checked.clear();
    this.checked.set(code, { warnings: a.warnings, changed: a.changed });
    return a.warnings;
  }

  /** The cells' declarations of `names` are dropped (%reset): later checks and completion no longer see them. */
  forget(names: string[]): void {
    this.checked.clear();
    if (names.length) this.thread.postMessage({ kind: 'forget', names } satisfies LanguageRequest);
  }

  /** Language-service completions, or null if the worker did not answer within `timeoutMs`. */
  complete(code: string, cursor: number, timeoutMs: number) {
    return this.ask<Extract<Asked, { kind: 'complete' }>>({ kind: 'complete', code, cursor }, timeoutMs);
  }

  async inspect(code: string, cursor: number, timeoutMs: number): Promise<string | null> {
    return (await this.ask<Extract<Asked, { kind: 'inspect' }>>({ kind: 'inspect', code, cursor }, timeoutMs))?.text ?? null;
  }
}
