/**
 * An optional backend capability: "my function tasks just run in this event loop". The engine then calls
 * such functions itself (no TaskSpec, no wrapper promise per task), which is most of the per-task cost
 * for tiny tasks. Executables and everything else still go through `submit`.
 */
import type { Backend } from './backend';

export const RUNS_INLINE: unique symbol = Symbol.for('flowbook.runsInline');

export function runsInline(backend: Backend): boolean {
  return (backend as { [RUNS_INLINE]?: boolean })[RUNS_INLINE] === true;
}
