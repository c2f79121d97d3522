import type { Backend } from '../backends/backend';
import type { ArgSpec, ParsedArgs } from './args';
import { UsageError, type MagicContext } from './types';

/** Thrown by a magic that stopped because the user interrupted the cell (ctx.signal). */
export class Interrupted extends Error {
  override name = 'KeyboardInterrupt';
}

/** A `%time`/`%timeit` statement compiled by transform into a closure over the cell's scope. */
export type Thunk = () => unknown;

/** State shared by all cells of one kernel session (one createMagics()). */
export interface Session {
  /** Names present in the user's scope before the first cell: hidden from %who. */
  preloaded?: Set<string>;
  /** What %backend last installed, to show its spec (e.g. threads:2) while it is still the default. */
  backend?: { label: string; backend: Backend };
  nextGroup: number;
  /** The directory before the last %cd (for `%cd -`). */
  previousDir?: string;
}

/** What a magic gets besides its arguments. */
export interface MagicRuntime {
  ctx: MagicContext;
  session: Session;
  registry: Registry;
  /** Run a cell body like a cell: magics in it are transformed, the value of its last expression returned. */
  run(body: string): Promise<unknown>;
}

export interface MagicDef {
  name: string;
  /** One line for %lsmagic and docs. */
  help: string;
  /** Arguments of the line form and of the `%%name` line (unless cellArgs is given). */
  args?: ArgSpec;
  cellArgs?: ArgSpec;
  /** Line form takes a statement after its options (not expanded; compiled into a Thunk). */
  code?: boolean;
  line?(rt: MagicRuntime, args: ParsedArgs, thunk?: Thunk): Promise<unknown>;
  cell?(rt: MagicRuntime, args: ParsedArgs, body: string): Promise<unknown>;
}

export class Registry {
  private magics = new Map<string, MagicDef>();

  add(...defs: MagicDef[]): this {
    for (const d of defs) this.magics.set(d.name, d);
    return this;
  }

  get(name: string): MagicDef | undefined {
    return this.magics.get(name);
  }

  all(): MagicDef[] {
    return [...this.magics.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): { line: string[]; cell: string[] } {
    const all = this.all();
    return { line: all.filter((m) => m.line).map((m) => m.name), cell: all.filter((m) => m.cell).map((m) => m.name) };
  }

  /** The definition for `%name` / `%%name`, or IPython's usage error. */
  resolve(name: string, kind: 'line' | 'cell'): MagicDef {
    const def = this.magics.get(name);
    if (def?.[kind]) return def;
    const pct = kind === 'line' ? '%' : '%%';
    const other = kind === 'line' ? '%%' : '%';
    const hint = def ? ` (but ${kind === 'line' ? 'cell' : 'line'} magic \`${other}${name}\` exists, did you mean that instead?)` : '';
    throw new UsageError(`${kind === 'line' ? 'Line' : 'Cell'} magic function \`${pct}${name}\` not found${hint}.`);
  }

  argSpec(def: MagicDef, kind: 'line' | 'cell'): ArgSpec | undefined {
    return kind === 'cell' ? (def.cellArgs ?? def.args) : def.args;
  }
}
