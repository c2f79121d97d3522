import { UsageError } from './types';

/**
 * The one argument parser shared by every magic: shell-like tokens (quotes, backslash escapes) and
 * IPython/getopt-style options (`-n 5`, `-n5`, `--repeat 3`, `--repeat=3`, `-qo`, `--` ends options).
 */
export type OptionType = 'boolean' | 'string' | 'int' | 'number';

export interface OptionDef {
  name: string;
  short?: string;
  type: OptionType;
  choices?: readonly string[];
  help?: string;
}

export interface ArgSpec {
  options?: readonly OptionDef[];
  /** Bounds on positional arguments (default: any number). */
  min?: number;
  max?: number;
  /** Options come first; everything from the first non-option on is kept verbatim in `rest` (code, commands). */
  raw?: boolean;
  /** Name of the positional arguments for usage messages. */
  usage?: string;
}

export type OptionValue = string | number | boolean;

export interface ParsedArgs {
  opts: Record<string, OptionValue>;
  positional: string[];
  /** raw specs: the verbatim text after the options; otherwise the positionals joined by one space. */
  rest: string;
}

interface Token {
  value: string;
  start: number;
  /** True when the token was (partly) quoted: it is then never an option. */
  quoted: boolean;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    let quoted = false;
    while (i < text.length && !/\s/.test(text[i])) {
      const c = text[i];
      if (c === "'" || c === '"') {
        const end = findQuoteEnd(text, i);
        const inner = text.slice(i + 1, end);
        value += c === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
        quoted = true;
        i = end + 1;
      } else if (c === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    tokens.push({ value, start, quoted });
  }
  return tokens;
}

function findQuoteEnd(text: string, open: number): number {
  const q = text[open];
  for (let j = open + 1; j < text.length; j++) {
    if (q === '"' && text[j] === '\\') j++;
    else if (text[j] === q) return j;
  }
  throw new UsageError(`unterminated ${q} quote in: ${text}`);
}

function convert(def: OptionDef, raw: string, magic: string): OptionValue {
  const flag = `--${def.name}`;
  if (def.type === 'int' || def.type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || (def.type === 'int' && !Number.isInteger(n))) {
      throw new UsageError(`%${magic}: ${flag} expects ${def.type === 'int' ? 'an integer' : 'a number'}, got '${raw}'`);
    }
    return n;
  }
  if (def.choices && !def.choices.includes(raw)) {
    throw new UsageError(`%${magic}: ${flag} must be one of ${def.choices.join(', ')}; got '${raw}'`);
  }
  return raw;
}

/** Parse `text` against `spec`; throws UsageError naming the magic on any unknown flag or bad value. */
export function parseArgs(magic: string, text: string, spec: ArgSpec = {}): ParsedArgs {
  const defs = spec.options ?? [];
  const byLong = new Map(defs.map((d) => [d.name, d]));
  const byShort = new Map(defs.filter((d) => d.short).map((d) => [d.short!, d]));
  const tokens = tokenize(text);
  const opts: Record<string, OptionValue> = {};
  const positional: string[] = [];
  let rest: string | undefined;
  let optionsDone = false;

  const unknown = (flag: string) =>
    new UsageError(`%${magic}: unknown option ${flag}${defs.length ? ` (options: ${describe(defs)})` : ''}`);
  const takeValue = (def: OptionDef, i: number, flag: string): string => {
    if (i >= tokens.length) throw new UsageError(`%${magic}: option ${flag} requires a value`);
    return tokens[i].value;
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const isOption = !optionsDone && !tok.quoted && tok.value.startsWith('-') && tok.value.length > 1;
    if (tok.value === '--' && !tok.quoted && !optionsDone) {
      optionsDone = true;
      if (spec.raw) {
        rest = i + 1 < tokens.length ? text.slice(tokens[i + 1].start) : '';
        break;
      }
      continue;
    }
    if (!isOption || /^-\d/.test(tok.value)) {
      if (spec.raw) {
        rest = text.slice(tok.start);
        break;
      }
      positional.push(tok.value);
      continue;
    }
    if (tok.value.startsWith('--')) {
      const eq = tok.value.indexOf('=');
      const name = tok.value.slice(2, eq < 0 ? undefined : eq);
      const def = byLong.get(name);
      if (!def) throw unknown(`--${name}`);
      if (def.type === 'boolean') {
        if (eq >= 0) throw new UsageError(`%${magic}: option --${name} takes no value`);
        opts[def.name] = true;
      } else {
        const raw = eq >= 0 ? tok.value.slice(eq + 1) : takeValue(def, ++i, `--${name}`);
        opts[def.name] = convert(def, raw, magic);
      }
      continue;
    }
    // Short options: a cluster of booleans (-qo), or one option with an attached (-n5) or separate (-n 5) value.
    const letters = tok.value.slice(1);
    for (let k = 0; k < letters.length; k++) {
      const def = byShort.get(letters[k]);
      if (!def) throw unknown(`-${letters[k]}`);
      if (def.type === 'boolean') {
        opts[def.name] = true;
        continue;
      }
      const attached = letters.slice(k + 1);
      const raw = attached !== '' ? attached : takeValue(def, ++i, `-${letters[k]}`);
      opts[def.name] = convert(def, raw, magic);
      break;
    }
  }

  const count = positional.length;
  if ((spec.min !== undefined && count < spec.min) || (spec.max !== undefined && count > spec.max)) {
    const what = spec.usage ? ` Usage: %${magic} ${spec.usage}` : '';
    const min = spec.min ?? 0;
    const range =
      spec.max === 0 ? 'no arguments' : min === spec.max ? `${min} argument(s)` : spec.max === undefined
        ? `at least ${min} argument(s)` : `${min} to ${spec.max} arguments`;
    throw new UsageError(`%${magic}: expected ${range}, got ${count}: '${positional.join(' ')}'.${what}`);
  }
  return { opts, positional, rest: rest ?? (spec.raw ? '' : positional.join(' ')) };
}

/** One-line option summary for usage messages and %lsmagic. */
export function describe(defs: readonly OptionDef[]): string {
  return defs
    .map((d) => {
      const names = [d.short && `-${d.short}`, `--${d.name}`].filter(Boolean).join('/');
      const value = d.type === 'boolean' ? '' : d.choices ? ` ${d.choices.join('|')}` : ` ${d.type === 'string' ? 'X' : 'N'}`;
      return names + value;
    })
    .join(', ');
}
