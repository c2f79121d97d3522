import { MAGIC_GLOBAL } from './types';

/**
 * IPython-style variable expansion in magic arguments and `!cmd` lines: `$name` and `{expr}` are replaced by
 * their value in the cell's scope; `$$` is a literal `$`, `{{`/`}}` literal braces. Like IPython, anything that
 * fails to evaluate (unknown name, shell `${VAR}`, brace expansion) is left as written, so shell syntax survives.
 *
 * Expansion is compiled into the cell as a template literal, so expressions see the cell's local variables.
 */
export type Part = { text: string } | { expr: string; raw: string };

const IDENT = /^[A-Za-z_$][\w$]*/;

export function splitExpansions(src: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ text });
    text = '';
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    const next = src[i + 1];
    if ((c === '$' && next === '$') || (c === '{' && next === '{') || (c === '}' && next === '}')) {
      text += c;
      i++;
    } else if (c === '$' && next && /[A-Za-z_]/.test(next)) {
      const name = IDENT.exec(src.slice(i + 1))![0];
      flush();
      parts.push({ expr: name, raw: '$' + name });
      i += name.length;
    } else if (c === '{') {
      const end = matchBrace(src, i);
      if (end < 0) {
        text += c;
        continue;
      }
      const expr = src.slice(i + 1, end);
      if (expr.trim() === '') {
        text += src.slice(i, end + 1);
      } else {
        flush();
        parts.push({ expr, raw: src.slice(i, end + 1) });
      }
      i = end;
    } else {
      text += c;
    }
  }
  flush();
  return parts;
}

function matchBrace(src: string, open: number): number {
  let depth = 0;
  for (let j = open; j < src.length; j++) {
    if (src[j] === '{') depth++;
    else if (src[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

/** True if `expr` compiles in exactly the form expansionCode emits (TS-only syntax stays literal text). */
function isExpression(expr: string): boolean {
  try {
    new Function(`return () => (${expr});`);
    return true;
  } catch {
    return false;
  }
}

const escapeTemplate = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$/g, '\\$');

/** JS source of a template literal that evaluates to the expanded string at run time. */
export function expansionCode(src: string): string {
  let out = '`';
  for (const part of splitExpansions(src)) {
    if ('text' in part) out += escapeTemplate(part.text);
    else if (!isExpression(part.expr)) out += escapeTemplate(part.raw);
    else out += '${' + `${MAGIC_GLOBAL}.expand(() => (${part.expr}), ${JSON.stringify(part.raw)})` + '}';
  }
  return out + '`';
}

/** The text with every expansion replaced by a placeholder word: lets transform validate flags statically. */
export function placeholderText(src: string): string {
  return splitExpansions(src)
    .map((p) => ('text' in p ? p.text : 'X'))
    .join('');
}

/** Runtime half of expansion: the value as a string, or the original text if evaluating it throws. */
export function expandValue(get: () => unknown, raw: string): string {
  try {
    const v = get();
    return v === undefined ? raw : typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  } catch {
    return raw;
  }
}
