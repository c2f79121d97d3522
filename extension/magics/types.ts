import type { DisplaySink } from '../display';

/**
 * The contract between the kernel and the magic layer.
 *
 * The kernel calls `magics.transform(code)` on every cell before compiling it. Lines starting with `%name args`
 * or `!cmd` and cells starting with `%%name args` are rewritten into awaited calls on the runtime object that the
 * kernel binds in the user's scope under `MAGIC_GLOBAL` for that cell (`magics.bind(ctx)`). An unknown magic or a
 * bad flag throws `UsageError` from transform, so the cell does not run at all.
 */
export const MAGIC_GLOBAL = '__flowbook_magics';

export interface MagicContext {
  /** Output of the cell that runs the magic. */
  out: DisplaySink;
  /** Run TypeScript in the user's scope like a cell body; resolves with the value of its last expression. */
  evaluate(code: string): Promise<unknown>;
  /** The user's global scope: read by %who and named backends, written by %backend (`flow`). */
  scope: Record<string, unknown>;
  /** Aborted when the user interrupts the cell. */
  signal: AbortSignal;
  executionCount: number;
  /** Signature and docs at `cursor` in `code` (the kernel's language service), for `name?`. */
  inspect?(code: string, cursor: number, detail: number): Promise<string | null>;
  /** Shows text in the pager (execute_reply payload), like IPython's page.page. */
  page?(text: string): void;
  /** This session's cells so far: [execution count, code]. */
  history?(): [number, string][];
  /** Forgets the session's results (`_`, `Out`, `In`), for %reset. */
  clearResults?(): void;
  /** Forgets what the cells declared `names` as, for the type checker and completion (%reset). */
  forgetDeclarations?(names: string[]): void;
}

export class UsageError extends Error {
  override name = 'UsageError';
}
