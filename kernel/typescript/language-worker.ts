// The language worker: the notebook's one TypeScript model (language-service.ts) on its own thread. Requests
// are answered in order; the main thread never waits for one outside a cell (completion and inspect replies
// are sent when the answer comes).
import './ts-cache'; // first: typescript from the V8 code cache, as on the main thread
import { parentPort, workerData } from 'node:worker_threads';
import { NotebookService } from './language-service';
import type { LanguageAnswer, LanguageRequest } from './language-client';
import { logInfo } from '../log';
import * as os from 'node:os';

// Below the cell's thread: the model's builds and checks are background work, and on 2 cores they took CPU from
// the thread that runs cells and sends replies. On Linux nice is per thread, so this lowers only this one (the
// first cell's round trip after a start: 18-31 -> 12-17 ms median of 15 starts through jupyter_client; the
// round trip and a new cell's check unchanged in the same runs, 2026-12-08 at load ~1.5).
try {
  os.setPriority(0, 10);
} catch {
  // not permitted here: the thread keeps the process's priority
}

const service = new NotebookService((workerData as { preloaded: string[] }).preloaded);

function answer(m: LanguageRequest): LanguageAnswer | null {
  switch (m.kind) {
    case 'warm':
      // In two steps: a question queued during the first (the kernel's first inspect) is answered between them.
      {
        const t0 = performance.now();
        service.warmGlobals();
        logInfo(`language worker: the lib and the notebook API built in ${(performance.now() - t0).toFixed(0)} ms`);
        setImmediate(() => send(m, () => {
          const t1 = performance.now();
          service.warm();
          logInfo(`language worker: the whole program built in ${(performance.now() - t1).toFixed(0)} ms more`);
          return { kind: 'warm' };
        }));
      }
      return null;
    case 'record':
      service.addCell(m.code);
      return null;
    case 'forget':
      service.forget(m.names);
      return null;
    case 'check':
      return { id: m.id, kind: 'check', ...service.checkCell(m.code) };
    case 'complete':
      return { id: m.id, kind: 'complete', ...service.completions(m.code, m.cursor) };
    case 'inspect':
      return { id: m.id, kind: 'inspect', text: service.quickInfo(m.code, m.cursor) };
  }
}

function failed(m: LanguageRequest, e: unknown): LanguageAnswer | null {
  const why = `language service failed: ${(e as Error)?.message ?? e}`;
  switch (m.kind) {
    case 'warm':
      return { kind: 'warm' }; // the service builds on the next question instead
    case 'record':
    case 'forget':
      return null;
    case 'check':
      return { id: m.id, kind: 'check', warnings: [why], changed: true };
    case 'complete':
      return { id: m.id, kind: 'complete', names: [], member: false };
    case 'inspect':
      return { id: m.id, kind: 'inspect', text: null };
  }
}

function send(m: LanguageRequest, work: () => LanguageAnswer | null): void {
  let a: LanguageAnswer | null;
  try {
    a = work();
  } catch (e) {
    a = failed(m, e);
  }
  if (a) parentPort!.postMessage(a);
}

parentPort!.on('message', (m: LanguageRequest) => send(m, () => answer(m)));
