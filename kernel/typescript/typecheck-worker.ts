// Type checking off the hot path: a worker thread with the notebook's language service. The main thread sends
// each cell as it runs and prints the answer as warnings on that cell's stderr (or, in strict mode, waits).
import { parentPort } from 'node:worker_threads';
import { NotebookService } from './language-service';

const service = new NotebookService();
parentPort!.on('message', (m: { id: number; code: string; globals?: string[] }) => {
  if (m.globals) service.setGlobals(m.globals);
  let warnings: string[];
  try {
    warnings = service.checkCell(m.code);
  } catch (e) {
    warnings = [`type check failed: ${(e as Error)?.message ?? e}`];
  }
  parentPort!.postMessage({ id: m.id, warnings });
});
