// What every cell finds in scope: a curated set, not every export of the package (helpers such as
// reviveFunction or renderSvg stay behind `require('flowbook')`). Names a refactor removed are skipped.
import * as flowbook from '../../extension/index';
import { log } from '../log';
import { PRELUDE } from './prelude-names';

export { PRELUDE };

export interface Prelude {
  names: Record<string, unknown>;
  runInGroup: typeof flowbook.runInGroup;
  /** A ready engine (absent, and logged, if create fails). */
  flow?: flowbook.WorkflowEngine;
}

export async function loadPrelude(): Promise<Prelude> {
  const api = flowbook as Record<string, unknown>;
  const names: Record<string, unknown> = {};
  for (const name of PRELUDE) if (api[name] !== undefined) names[name] = api[name];
  const prelude: Prelude = { names, runInGroup: flowbook.runInGroup };
  try {
    prelude.flow = await flowbook.WorkflowEngine.create();
  } catch (e) {
    log('WorkflowEngine.create() failed:', (e as Error)?.stack ?? e);
  }
  return prelude;
}
