import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import type { MagicDef, MagicRuntime } from './registry';
import { MAGIC_GLOBAL, UsageError } from './types';

/** %pwd, %cd, %history, %run, %whos, %reset: IPython's session magics. */

export const pwd: MagicDef = {
  name: 'pwd',
  help: 'Return the current working directory path.',
  args: { max: 0 },
  async line() {
    return process.cwd();
  },
};

const expandHome = (p: string) => p.replace(/^~(?=\/|$)/, homedir());

export const cd: MagicDef = {
  name: 'cd',
  help: 'Change the current working directory (%cd with no argument: the home directory; %cd -: the previous one).',
  args: { max: 1, usage: '[dir]' },
  async line(rt, a) {
    const arg = a.positional[0];
    const target = arg === undefined ? homedir() : arg === '-' ? rt.session.previousDir : expandHome(arg);
    if (!target) throw new UsageError('cd: no previous directory');
    const before = process.cwd();
    try {
      process.chdir(target);
    } catch (e) {
      throw new UsageError(`cd: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such directory: ${arg}` : (e as Error).message}`);
    }
    rt.session.previousDir = before;
    rt.ctx.out.stdout(`${process.cwd()}\n`);
  },
};

/** IPython's ranges: `4`, `4-6` (inclusive), `4:6` (exclusive end), several separated by spaces. */
function inRanges(n: number, ranges: string[]): boolean {
  return ranges.some((r) => {
    const m = /^(\d+)(?:([-:])(\d+))?$/.exec(r);
    if (!m) throw new UsageError(`%history: bad range '${r}' (use N, N-M or N:M)`);
    const lo = Number(m[1]);
    if (!m[2]) return n === lo;
    const hi = Number(m[3]);
    return n >= lo && (m[2] === '-' ? n <= hi : n < hi);
  });
}

export const history: MagicDef = {
  name: 'history',
  help: "Print this session's input history: %history [-n] [range ...] (-n: with cell numbers; range: 4, 4-6, 4:6).",
  args: { options: [{ name: 'numbers', short: 'n', type: 'boolean', help: 'print cell numbers' }], usage: '[-n] [range ...]' },
  async line(rt, a) {
    const cells = rt.ctx.history?.() ?? [];
    // Like IPython: without a range, everything before this cell.
    const chosen = cells.filter(([n]) => (a.positional.length ? inRanges(n, a.positional) : n < rt.ctx.executionCount));
    const text = chosen.map(([n, code]) => (a.opts.numbers ? `${String(n).padStart(3)}: ${code.replace(/\n/g, '\n     ')}` : code)).join('\n');
    if (text) rt.ctx.out.stdout(text + '\n');
  },
};

export const run: MagicDef = {
  name: 'run',
  help: "Run a TypeScript or JavaScript file in the notebook's scope (its top-level names stay defined): %run file.ts.",
  args: { min: 1, max: 1, usage: 'file' },
  async line(rt, a) {
    const file = expandHome(a.positional[0]);
    let code: string;
    try {
      code = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`File \`${path.resolve(file)}\` not found.`);
    }
    await rt.run(code.replace(/^#!.*/, ''));
  },
};

/** The user's names: what the cells defined (the preloaded API, the kernel's own and `_` names left out). */
export function userNames(rt: MagicRuntime): string[] {
  const hidden = rt.session.preloaded ?? new Set<string>();
  return Object.keys(rt.ctx.scope).filter((n) => !hidden.has(n) && n !== MAGIC_GLOBAL && !n.startsWith('_')).sort();
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return /^class\b/.test(Function.prototype.toString.call(v)) ? 'class' : 'function';
  if (typeof v !== 'object') return typeof v;
  return Object.getPrototypeOf(v)?.constructor?.name ?? 'Object';
}

export const whos: MagicDef = {
  name: 'whos',
  help: 'Like %who, with the type and a short description of each variable.',
  async line(rt, a) {
    const scope = rt.ctx.scope;
    const rows = userNames(rt)
      .map((n) => [n, typeOf(scope[n]), scope[n]] as const)
      .filter(([, t]) => !a.positional.length || a.positional.includes(t));
    if (!rows.length) {
      rt.ctx.out.stdout(a.positional.length ? 'No variables match your requested type.\n' : 'Interactive namespace is empty.\n');
      return;
    }
    const info = (v: unknown) => {
      const text = Array.isArray(v) ? `length ${v.length}: ${inspect(v, { breakLength: Infinity, depth: 0 })}` : inspect(v, { breakLength: Infinity, depth: 0 });
      return text.length > 60 ? text.slice(0, 57) + '...' : text;
    };
    const w0 = Math.max(8, ...rows.map((r) => r[0].length)) + 4;
    const w1 = Math.max(4, ...rows.map((r) => r[1].length)) + 4;
    const head = 'Variable'.padEnd(w0) + 'Type'.padEnd(w1) + 'Data/Info';
    const lines = rows.map(([n, t, v]) => n.padEnd(w0) + t.padEnd(w1) + info(v));
    rt.ctx.out.stdout([head, '-'.repeat(head.length + 6), ...lines].join('\n') + '\n');
  },
};

export const reset: MagicDef = {
  name: 'reset',
  help: 'Forget the user variables and the output history: %reset -f (without -f, asks first).',
  args: { options: [{ name: 'force', short: 'f', type: 'boolean', help: 'do not ask' }], max: 0 },
  async line(rt, a) {
    if (!a.opts.force) {
      const ask = rt.ctx.scope.input as ((q: string) => string) | undefined;
      const answer = ask?.('Once deleted, variables cannot be recovered. Proceed (y/[n])? ') ?? '';
      if (!/^y(es)?$/i.test(answer.trim())) {
        rt.ctx.out.stdout('Nothing done.\n');
        return;
      }
    }
    // Names a cell declared keep their binding (the realm's); they hold undefined from now on. The type checker
    // forgets them, so a later use is warned about (IPython: NameError).
    const names = userNames(rt);
    for (const n of names) {
      rt.ctx.scope[n] = undefined;
      delete rt.ctx.scope[n];
    }
    rt.ctx.clearResults?.();
    rt.ctx.forgetDeclarations?.(names);
  },
};
