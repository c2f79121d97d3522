import type { ArgSpec } from './args';
import type { MagicDef, MagicRuntime, Registry } from './registry';
import { UsageError } from './types';

/** `name?` / `name??` (signature and docs in the pager) and `%name?` / `%%name?` (the registry's help). */

/** The usage line of a magic from its argument spec: `%%flow [--backend VALUE] [--no-live]`. */
export function usage(def: MagicDef, kind: 'line' | 'cell', spec: ArgSpec | undefined): string {
  const pct = kind === 'line' ? '%' : '%%';
  if (spec?.usage) return `${pct}${def.name} ${spec.usage}`;
  const opts = (spec?.options ?? []).map((o) => {
    const flag = o.short ? `-${o.short}` : `--${o.name}`;
    return o.type === 'boolean' ? `[${flag}]` : `[${flag} ${o.type === 'int' ? 'N' : 'VALUE'}]`;
  });
  return [`${pct}${def.name}`, ...opts, ...(def.code ? ['statement'] : [])].join(' ');
}

export function magicHelpText(registry: Registry, name: string, kind: 'line' | 'cell'): string {
  const def = registry.resolve(name, kind);
  const spec = registry.argSpec(def, kind);
  const lines = [usage(def, kind, spec), '', def.help];
  const opts = spec?.options ?? [];
  if (opts.length) {
    lines.push('', 'Options:');
    for (const o of opts) lines.push(`  ${o.short ? `-${o.short}, ` : ''}--${o.name}${o.help ? `  ${o.help}` : ''}`);
  }
  const other = kind === 'line' ? def.cell : def.line;
  if (other) lines.push('', `Also a ${kind === 'line' ? 'cell' : 'line'} magic: ${usage(def, kind === 'line' ? 'cell' : 'line', registry.argSpec(def, kind === 'line' ? 'cell' : 'line'))}`);
  return lines.join('\n') + '\n';
}

function show(rt: MagicRuntime, text: string): void {
  if (rt.ctx.page) rt.ctx.page(text);
  else rt.ctx.out.stdout(text);
}

export async function objectHelp(rt: MagicRuntime, expr: string, detail: number): Promise<void> {
  const text = (await rt.ctx.inspect?.(expr, expr.length, detail)) ?? null;
  if (!text) throw new UsageError(`Object \`${expr}\` not found.`);
  show(rt, text.endsWith('\n') ? text : text + '\n');
}

export function magicHelp(rt: MagicRuntime, name: string, kind: 'line' | 'cell'): void {
  show(rt, magicHelpText(rt.registry, name, kind));
}

export const magic: MagicDef = {
  name: 'magic',
  help: 'Print information about the magic function system: every magic with its usage and help.',
  args: { max: 0 },
  async line(rt) {
    const parts = ['flowbook magics: `%name args` on a line, `%%name args` on the first line of a cell; `%name?` shows one.\n'];
    for (const def of rt.registry.all()) {
      for (const kind of ['line', 'cell'] as const) {
        if (def[kind]) parts.push(`${usage(def, kind, rt.registry.argSpec(def, kind))}\n    ${def.help}`);
      }
    }
    show(rt, parts.join('\n') + '\n');
  },
};

const QUICKREF = `flowbook -- quick reference
---------------------------
  obj?, obj??       signature and docs of obj (also Shift-Tab)
  %magic?, %%magic? help of a magic          %lsmagic   list the magics     %magic  all of them
  _, __, ___        the last three results   Out[n], _n  result of cell n    In[n], _in  code of cell n
  !cmd              run cmd in bash; $var and {expr} are expanded
  %time stmt        CPU and wall time        %timeit stmt  repeated timing (IPython's format)
  %history [-n]     this session's input     %run file.ts  run a file in the notebook's scope
  %who, %whos       user variables           %reset -f     forget them
  %pwd, %cd dir     working directory        %env [VAR[=value]]  environment
  %%bash, %%sh      a bash cell              %%writefile [-a] path
  %%html, %%svg, %%markdown, %%latex, %%javascript   rich output
  %backend kind [n] the engine behind flow   %%flow [--backend kind]  a workflow cell, live timings
  %%compare backends...  the same cell on several backends, side by side
  display(x), display.html(s), page(x)   rich output, the pager
`;

export const quickref: MagicDef = {
  name: 'quickref',
  help: 'Show a quick reference sheet.',
  args: { max: 0 },
  async line(rt) {
    show(rt, QUICKREF);
  },
};
