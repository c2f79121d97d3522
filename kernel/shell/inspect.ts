// inspect_request (Shift-Tab, `name?`): the signature and JSDoc at the cursor, from the language worker.
import type { Executor } from './execute';
import { parseable } from './input-bounds';

const INSPECT_WAIT_MS = 15_000; // only the first one, while the model builds, can take seconds

export async function inspectText(ex: Executor, code: string, cursor: number): Promise<string | null> {
  return parseable(code) ? ex.language.inspect(code, cursor, INSPECT_WAIT_MS) : null;
}

export async function inspectAt(ex: Executor, code: string, cursor: number, _detail: number) {
  const text = await inspectText(ex, code, cursor);
  return text
    ? { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} }
    : { status: 'ok', found: false, data: {}, metadata: {} };
}
