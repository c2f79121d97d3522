// Client of typecheck-worker: started lazily (the first check pays the program build, ~1 s, on its own thread).
// Mode from FLOWBOOK_TYPECHECK: "warn" (default: type errors are stderr warnings, the cell runs anyway),
// "strict" (the cell fails on type errors) or "off".
// In "warn" mode checks wait until no cell has arrived for IDLE_MS: on 2 cores a check running beside each cell
// took the trivial-cell round trip from 2 ms to 5-8 ms (p50), so back-to-back cells are checked after the burst.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from '../log';

export type TypecheckMode = 'warn' | 'strict' | 'off';

const IDLE_MS = 50;

interface Check {
  id: number;
  code: string;
  globals?: string[];
}

export class TypeScriptError extends Error {
  override name = 'TypeScriptError';
}

export class Typechecker {
  mode: TypecheckMode = (['warn', 'strict', 'off'].includes(process.env.FLOWBOOK_TYPECHECK ?? '') ? process.env.FLOWBOOK_TYPECHECK : 'warn') as TypecheckMode;
  private worker: Worker | null = null;
  private seq = 0;
  private waiting = new Map<number, (w: string[]) => void>();
  private deferred: Check[] = [];
  private idleTimer: NodeJS.Timeout | null = null;

  private start(): Worker {
    const w = new Worker(path.join(__dirname, 'typecheck-worker.js'));
    w.unref();
    w.on('message', (m: { id: number; warnings: string[] }) => {
      this.waiting.get(m.id)?.(m.warnings);
      this.waiting.delete(m.id);
    });
    w.on('error', (e) => {
      log('typecheck worker failed:', e);
      this.worker = null;
    });
    return w;
  }

  /** Type errors of the cell (as the next one of the notebook). */
  check(code: string, globals: () => string[]): Promise<string[]> {
    if (this.mode === 'off') return Promise.resolve([]);
    let sendGlobals: string[] | undefined;
    if (!this.worker) {
      this.worker = this.start();
      sendGlobals = globals();
    }
    const check: Check = { id: ++this.seq, code, globals: sendGlobals };
    const result = new Promise<string[]>((resolve) => this.waiting.set(check.id, resolve));
    if (this.mode === 'strict') this.worker.postMessage(check);
    else this.defer(check);
    return result;
  }

  /** Queues a warn-mode check and (re)starts the idle timer; checks keep their order. */
  private defer(check: Check): void {
    this.deferred.push(check);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      for (const c of this.deferred.splice(0)) this.worker?.postMessage(c);
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}
