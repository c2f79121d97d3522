// Client of typecheck-worker: started lazily (the first check pays the program build, ~1 s, on its own thread).
// Mode from FLOWBOOK_TYPECHECK: "warn" (default: type errors are stderr warnings, the cell runs anyway),
// "strict" (the cell fails on type errors) or "off".
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { log } from './log';

export type TypecheckMode = 'warn' | 'strict' | 'off';

export class TypeScriptError extends Error {
  override name = 'TypeScriptError';
}

export class Typechecker {
  mode: TypecheckMode = (['warn', 'strict', 'off'].includes(process.env.FLOWBOOK_TYPECHECK ?? '') ? process.env.FLOWBOOK_TYPECHECK : 'warn') as TypecheckMode;
  private worker: Worker | null = null;
  private seq = 0;
  private waiting = new Map<number, (w: string[]) => void>();

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
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker!.postMessage({ id, code, globals: sendGlobals });
    });
  }
}
