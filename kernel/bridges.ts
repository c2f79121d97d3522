// Optional wiring to extension/: the engine (extension/index.ts) and magics (extension/magics/index.ts) may not
// exist yet while other engineers write them; the kernel builds and runs either way.
import * as path from 'node:path';
import type { MagicContext } from '../extension/magics/types';
import { log } from './log';

export interface Magics {
  transform(code: string): string;
  bind(ctx: MagicContext): object;
  names(): { line: string[]; cell: string[] };
}

function optionalRequire(rel: string): any {
  const file = path.join(__dirname, rel);
  try {
    return require(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes(file)) return null;
    log(`loading ${rel} failed:`, err?.stack ?? err);
    return null;
  }
}

export function loadMagics(): Magics | null {
  const mod = optionalRequire('../extension/magics/index');
  return mod?.createMagics ? mod.createMagics() : null;
}

export interface Engine {
  exports: Record<string, unknown>;
  runInGroup?: <T>(group: string, fn: () => T) => T;
  flow?: { cancelGroup?(group: string): unknown };
}

/** Everything exported by extension/index.ts, plus a ready `flow` engine. */
export async function loadEngine(): Promise<Engine | null> {
  const mod = optionalRequire('../extension/index');
  if (!mod) return null;
  const engine: Engine = { exports: { ...mod }, runInGroup: typeof mod.runInGroup === 'function' ? mod.runInGroup : undefined };
  try {
    if (mod.WorkflowEngine?.create) engine.flow = await mod.WorkflowEngine.create();
  } catch (e) {
    log('WorkflowEngine.create() failed:', (e as Error)?.stack ?? e);
  }
  return engine;
}
