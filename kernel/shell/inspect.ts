// inspect_request: the TypeScript type or signature at the cursor (language service quick info).
import type { Executor } from './execute';
import { log } from '../log';

export function inspectAt(ex: Executor, code: string, cursor: number, _detail: number) {
  let text: string | null = null;
  try {
    text = ex.notebook.quickInfo(code, cursor);
  } catch (e) {
    log('inspect failed:', e);
  }
  return text
    ? { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} }
    : { status: 'ok', found: false, data: {}, metadata: {} };
}
