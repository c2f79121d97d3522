// A cell's type check travels with the cell: it starts when the cell starts (on the language worker, beside
// the run) and its warnings are written to the cell before the execute_reply when the check is done by then
// or within CHECK_WAIT_MS of its start (an incremental check of a usual cell takes a few ms). Otherwise they
// come later, and the reply says `typecheck: 'pending'`. A client that cannot answer input (allow_stdin false:
// nbclient, nbconvert, papermill) is a batch run whose notebook is read afterwards: it waits for the check
// (up to BATCH_WAIT_MS), so the warning is stored in the cell's outputs.
import type { DisplaySink } from '../../extension/display';
import { LanguageClient, TypeScriptError } from './language-client';

const CHECK_WAIT_MS = 50;
const BATCH_WAIT_MS = 20_000;

export class CellCheck {
  private constructor(
    private readonly result: Promise<string[]> | null,
    private readonly started: number,
    /** The worker had built its program when the check began: only then can it be quick. */
    private readonly warm = true,
  ) {}

  /** Starts checking `code` (null: nothing to check, e.g. a cell magic). Strict mode waits and throws. */
  static async begin(client: LanguageClient, code: string | null): Promise<CellCheck> {
    if (code === null) return new CellCheck(null, 0);
    const result = client.check(code);
    if (client.mode === 'strict') {
      const errors = await result;
      if (errors.length) throw new TypeScriptError(errors.join('\n'));
      return new CellCheck(null, 0);
    }
    return new CellCheck(result, performance.now(), client.warm);
  }

  /** Writes the warnings to `out` if they come in time; true if they are still pending (written later). */
  async deliver(out: DisplaySink, batch: boolean): Promise<boolean> {
    if (!this.result) return false;
    const write = (ws: string[]) => ws.length && out.stderr(ws.map((w) => `type warning: ${w}\n`).join(''));
    // The first cell of a session usually arrives while the program builds: waiting 50 ms there only delayed
    // its reply (start -> first result 66 ms, 50 of them this wait).
    const budget = batch ? BATCH_WAIT_MS : this.warm ? CHECK_WAIT_MS : 0;
    const wait = Math.max(0, budget - (performance.now() - this.started));
    // No wait: take the result only if it is already there (a re-run cell's, from the client's memo). A 0 ms
    // timer is 1 ms in Node: while the worker built its program, every interactive cell paid it (same-cell
    // round trip 4 ms instead of 1.5 ms for the kernel's first ~150 cells).
    let timer: NodeJS.Timeout | undefined;
    const late = wait === 0 ? Promise.resolve(null) : new Promise<null>((r) => (timer = setTimeout(() => r(null), wait)));
    const ws = await Promise.race([this.result, late]);
    clearTimeout(timer);
    if (ws) {
      write(ws);
      return false;
    }
    void this.result.then(write); // to this cell even though it has finished
    return true;
  }
}
