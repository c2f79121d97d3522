import { parseArgs } from './args';
import { expansionCode, placeholderText } from './expand';
import { LexState } from './lexstate';
import type { Registry } from './registry';
import { compileThunk } from './thunk';
import { MAGIC_GLOBAL, UsageError } from './types';

/**
 * Rewrites IPython syntax into plain TypeScript calls on the runtime bound under MAGIC_GLOBAL:
 *
 *   %%name args \n body   →  await M.cell("name", `args`, "body")        (the whole cell; its value is the result)
 *   %name args            →  await M.line("name", `args`);
 *   x = %name args        →  x = await M.line("name", `args`);
 *   %time <code>          →  await M.line("time", "opts code", async () => (code));
 *   !cmd                  →  await M.shell(`cmd`);
 *   name? / name??        →  await M.help("name", 0 | 1);        (the pager)
 *   %name? / %%name?      →  await M.magicHelp("name", "line" | "cell");
 *
 * Only lines that begin (after indentation) with `%name` or `!` in plain code are touched, so `a % b`,
 * `!==` and magic-looking lines inside template literals or block comments stay as they are. Each line stays one
 * line, so compiler error positions still match the cell. Flags are checked here: a bad cell never runs.
 */
const M = MAGIC_GLOBAL;
const CELL = /^\s*%%([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;
const LINE = /^(\s*)((?:(?:const|let|var)\s+)?[A-Za-z_$][\w$.]*\s*=\s*)?%([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;
const SHELL = /^(\s*)!(?![=(\[!])(.*\S.*)$/;
const HELP = /^(\s*)([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*(\?\??)\s*$/;
const MAGIC_HELP = /^(\s*)(%%?)([A-Za-z_]\w*)\?\??\s*$/;

export function transform(code: string, registry: Registry): string {
  // Lines keep their '\r' (CRLF cells) except where a magic is matched.
  const lines = code.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  const asked = first >= 0 ? MAGIC_HELP.exec(chomp(lines[first])) : null;
  if (asked && lines.slice(first + 1).every((l) => !l.trim())) {
    registry.resolve(asked[3], asked[2] === '%' ? 'line' : 'cell'); // an unknown magic is a UsageError here
    return `await ${M}.magicHelp(${JSON.stringify(asked[3])}, ${JSON.stringify(asked[2] === '%' ? 'line' : 'cell')})`;
  }
  const cell = first >= 0 ? CELL.exec(chomp(lines[first])) : null;
  if (cell) {
    const [, name, args = ''] = cell;
    const def = registry.resolve(name, 'cell');
    // Code magics (%%timeit setup) get their args verbatim; the others get $var/{expr} expansion.
    parseArgs(name, def.code ? args : placeholderText(args), registry.argSpec(def, 'cell'));
    const argCode = def.code ? JSON.stringify(args.trim()) : expansionCode(args.trim());
    const body = lines.slice(first + 1).map(chomp).join('\n');
    return `await ${M}.cell(${JSON.stringify(name)}, ${argCode}, ${JSON.stringify(body)})`;
  }

  const lex = new LexState();
  return lines
    .map((line, i) => {
      const out = lex.atCode ? rewriteLine(line, i, registry, () => standsAlone(lines, i)) : undefined;
      if (out === undefined) lex.feed(line);
      return out ?? line;
    })
    .join('\n');
}

const chomp = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/**
 * `x?` is help only as a statement of its own: not where the line before leaves an expression open
 * (`a ??` + `b`) or the line after continues it (`cond ?` ... `: b`).
 */
function standsAlone(lines: string[], i: number): boolean {
  const before = lines.slice(0, i).reverse().find((l) => l.trim())?.trim() ?? '';
  const after = lines.slice(i + 1).find((l) => l.trim())?.trim() ?? '';
  const open = /[;{}]$/.test(before) ? false : /[=(\[,?:&|+\-*/%<>!^~]$/.test(before);
  return !open && !/^[:?.&|+\-*/%,)\]]/.test(after);
}

function rewriteLine(raw: string, index: number, registry: Registry, alone: () => boolean): string | undefined {
  const line = chomp(raw);
  const asked = MAGIC_HELP.exec(line);
  if (asked) {
    const kind = asked[2] === '%' ? 'line' : 'cell';
    registry.resolve(asked[3], kind);
    return `${asked[1]}await ${M}.magicHelp(${JSON.stringify(asked[3])}, "${kind}");`;
  }
  const help = HELP.exec(line);
  if (help && alone()) return `${help[1]}await ${M}.help(${JSON.stringify(help[2])}, ${help[3].length - 1});`;
  if (/^\s*%%[A-Za-z_]/.test(line)) {
    throw new UsageError(`Cell magic \`${line.trim().split(/\s/)[0]}\` must be on the first line of the cell (line ${index + 1}).`);
  }
  const m = LINE.exec(line);
  if (m) {
    const [, indent, assign = '', name, args = ''] = m;
    const def = registry.resolve(name, 'line');
    const spec = registry.argSpec(def, 'line');
    if (def.code) {
      const parsed = parseArgs(name, args, { ...spec, raw: true });
      const { thunk, declare } = compileThunk(parsed.rest);
      if (declare && assign) throw new UsageError(`%${name}: cannot assign the result of a declaration`);
      return `${indent}${declare ?? assign}await ${M}.line(${JSON.stringify(name)}, ${JSON.stringify(args)}, ${thunk});`;
    }
    parseArgs(name, placeholderText(args), spec);
    return `${indent}${assign}await ${M}.line(${JSON.stringify(name)}, ${expansionCode(args.trim())});`;
  }
  const s = SHELL.exec(line);
  if (s) return `${s[1]}await ${M}.shell(${expansionCode(s[2].trim())});`;
  return undefined;
}
