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
 *
 * Only lines that begin (after indentation) with `%name` or `!` in plain code are touched, so `a % b`,
 * `!==` and magic-looking lines inside template literals or block comments stay as they are. Each line stays one
 * line, so compiler error positions still match the cell. Flags are checked here: a bad cell never runs.
 */
const M = MAGIC_GLOBAL;
const CELL = /^\s*%%([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;
const LINE = /^(\s*)((?:(?:const|let|var)\s+)?[A-Za-z_$][\w$.]*\s*=\s*)?%([A-Za-z_]\w*)(?:[ \t]+(.*))?$/;
const SHELL = /^(\s*)!(?![=(\[!])(.*\S.*)$/;

export function transform(code: string, registry: Registry): string {
  // Lines keep their '\r' (CRLF cells) except where a magic is matched.
  const lines = code.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
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
      const out = lex.atCode ? rewriteLine(line, i, registry) : undefined;
      if (out === undefined) lex.feed(line);
      return out ?? line;
    })
    .join('\n');
}

const chomp = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

function rewriteLine(raw: string, index: number, registry: Registry): string | undefined {
  const line = chomp(raw);
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
