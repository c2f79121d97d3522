// The kernel's view of extension/: the names preloaded into every cell (the public API plus a ready `flow`)
// and the magic layer. extension/ never imports the kernel; this is the one place where they meet.
import * as flowbook from '../../extension/index';
import { createMagics } from '../../extension/magics/index';
export { setUserCall } from '../../extension/engine/realm';
export { WorkflowEngine } from '../../extension/engine/engine';
import { log } from '../log';

export type Magics = ReturnType<typeof createMagics>;

export function loadMagics(): Magics {
  return createMagics();
}

export interface Engine {
  exports: Record<string, unknown>;
  runInGroup: typeof flowbook.runInGroup;
  flow?: flowbook.WorkflowEngine;
}

/** Everything exported by extension/index.ts, plus a ready `flow` engine (absent, and logged, if create fails). */
export async function loadEngine(): Promise<Engine> {
  const engine: Engine = { exports: { ...flowbook }, runInGroup: flowbook.runInGroup };
  try {
    engine.flow = await flowbook.WorkflowEngine.create();
  } catch (e) {
    log('WorkflowEngine.create() failed:', (e as Error)?.stack ?? e);
  }
  return engine;
}
