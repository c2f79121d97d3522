import type { Backend } from '../backends/backend';
import type { WorkflowEngine } from '../engine/engine';
import { UsageError } from './types';

/**
 * Backend specs shared by %backend, %%flow --backend and %%compare: `async`, `threads[:N]`, `processes[:N]`,
 * `slurm[:partition]`, AsyncFlow-ish aliases, or the name of a Backend object in the user's scope.
 */
export interface BackendChoice {
  /** As the user wrote it, normalised (`threads:2`): labels rows, bars and the summary. */
  label: string;
  backend: Backend;
  /** Set for a backend taken from the user's scope: registered under this name, so the engine never shuts it. */
  scopeName?: string;
}

type Kind = 'async' | 'threads' | 'processes' | 'slurm';

const ALIASES: Record<string, Kind> = {
  async: 'async',
  // In this engine ConcurrentExecutionBackend / LocalExecutionBackend without an executor is the in-loop one.
  concurrent: 'async',
  local: 'async',
  thread: 'threads',
  threads: 'threads',
  process: 'processes',
  processes: 'processes',
  slurm: 'slurm',
};

export const SPEC_HELP = 'async | threads [N] | processes [N] | slurm [partition] | <Backend variable> (aliases: concurrent, local)';

function isBackend(v: unknown): v is Backend {
  const b = v as Backend | null;
  return !!b && typeof b === 'object' && typeof b.name === 'string' && typeof b.submit === 'function' && typeof b.shutdown === 'function';
}

function workers(kind: string, param: string): number | undefined {
  if (param === '') return undefined;
  const n = Number(param);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`backend ${kind}: worker count must be a positive integer, got '${param}'`);
  return n;
}

/** Backends are loaded on demand: piscina and the SLURM client are not needed by a kernel that never asks. */
function construct(kind: Kind, param: string): Backend {
  const { ConcurrentExecutionBackend } = require('../backends/concurrent') as typeof import('../backends/concurrent');
  switch (kind) {
    case 'async':
      if (param) throw new UsageError(`backend async takes no parameter, got '${param}'`);
      return new ConcurrentExecutionBackend();
    case 'threads': {
      const { ThreadPoolExecutor } = require('../backends/pools/pool') as typeof import('../backends/pools/pool');
      return new ConcurrentExecutionBackend(new ThreadPoolExecutor({ maxWorkers: workers(kind, param) }));
    }
    case 'processes': {
      const { ProcessPoolExecutor } = require('../backends/pools/pool') as typeof import('../backends/pools/pool');
      return new ConcurrentExecutionBackend(new ProcessPoolExecutor({ maxWorkers: workers(kind, param) }));
    }
    case 'slurm': {
      const { SlurmExecutionBackend } = require('../backends/slurm') as typeof import('../backends/slurm');
      return new SlurmExecutionBackend(param ? { partition: param } : {});
    }
  }
}

/** `threads:2`, `threads=2` or the words `threads 2` → a fresh backend (or the scope's object). */
export function resolveBackend(spec: string | string[], scope: Record<string, unknown>): BackendChoice {
  const words = typeof spec === 'string' ? [spec] : spec;
  const joined = words.join(':');
  const m = /^([A-Za-z_$][\w$]*)(?:[:=](.*))?$/.exec(joined);
  if (!m || words.length > 2) throw new UsageError(`unknown backend '${words.join(' ')}'. Use: ${SPEC_HELP}`);
  const [, name, param = ''] = m;
  if (!param && isBackend(scope[name])) return { label: name, backend: scope[name] as Backend, scopeName: name };
  const kind = ALIASES[name.toLowerCase()];
  if (!kind) {
    const hint = name in scope ? ` ('${name}' in scope is not a Backend)` : '';
    throw new UsageError(`unknown backend '${joined}'${hint}. Use: ${SPEC_HELP}`);
  }
  return { label: param ? `${kind}:${param}` : kind, backend: construct(kind, param) };
}

/** The session's engine, preloaded by the kernel as `flow`. */
export function flowOf(scope: Record<string, unknown>): WorkflowEngine {
  const flow = scope.flow as WorkflowEngine | undefined;
  if (!flow || typeof flow.setBackend !== 'function' || typeof flow.cancelGroup !== 'function') {
    throw new UsageError('no workflow engine in scope: `flow` must be a WorkflowEngine');
  }
  return flow;
}

/** Makes `choice` flow's default; a fresh backend that fails to start is shut down again. */
export async function install(flow: WorkflowEngine, choice: BackendChoice): Promise<void> {
  try {
    await flow.setBackend(choice.backend, choice.scopeName);
  } catch (err) {
    if (!choice.scopeName) await choice.backend.shutdown().catch(() => {});
    throw err;
  }
}

/**
 * Runs `fn` with `choice` as flow's default backend, then restores the previous default. The previous one is
 * first registered under a name, because the engine shuts down an unregistered default when it is replaced;
 * the temporary backend is unregistered, so the engine shuts it down once its tasks are done.
 */
export async function withBackends<T>(flow: WorkflowEngine, fn: (use: (c: BackendChoice) => Promise<void>) => Promise<T>): Promise<T> {
  const previous = flow.backend;
  const known = flow.backends;
  const free = (n: string) => !known.has(n) || known.get(n) === previous;
  let pin = previous.name;
  for (let i = 2; !free(pin); i++) pin = `${previous.name}#${i}`;
  await flow.setBackend(previous, pin);
  try {
    return await fn((c) => install(flow, c));
  } finally {
    if (!flow.isShutdown) await flow.setBackend(previous);
  }
}
