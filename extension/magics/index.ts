import { parseArgs } from './args';
import { lsmagic, who, writefile, html, svg, markdown, latex, javascript } from './basic';
import { magic, magicHelp, objectHelp, quickref } from './help';
import { cd, history, pwd, reset, run, whos } from './session';
import { backendMagic } from './backend-magic';
import { compare } from './compare';
import { expandValue } from './expand';
import { flowMagic } from './flow';
import { Registry, type MagicDef, type MagicRuntime, type Session, type Thunk } from './registry';
import { bash, env, runShell, sh } from './shell';
import { time, timeitMagic } from './timing';
import { transform } from './transform';
import type { MagicContext } from './types';

export { MAGIC_GLOBAL, UsageError } from './types';
export type { MagicContext } from './types';
export { TimeitResult, formatTime } from './timefmt';
export { ShellError } from './shell';
export type { MagicDef } from './registry';

/** What the kernel puts in the user's scope under MAGIC_GLOBAL for one cell; transformed code calls it. */
export interface MagicRuntimeApi {
  line(name: string, args: string, thunk?: Thunk): Promise<unknown>;
  cell(name: string, args: string, body: string): Promise<unknown>;
  shell(command: string): Promise<void>;
  /** `expr?` (detail 0) / `expr??` (1): signature and docs in the pager. */
  help(expr: string, detail: number): Promise<void>;
  /** `%name?` / `%%name?`: the magic's usage and help. */
  magicHelp(name: string, kind: 'line' | 'cell'): Promise<void>;
  expand(get: () => unknown, raw: string): string;
}

export interface Magics {
  transform(code: string): string;
  bind(ctx: MagicContext): MagicRuntimeApi;
  names(): { line: string[]; cell: string[] };
  /**
   * Waits (at most `ms`) for cell magics still finishing, e.g. an interrupted %%flow sending its final table
   * and chart: the kernel calls it before it reports the interrupt, so that output comes before `idle`.
   */
  settle(ms: number): Promise<void>;
  /** The names the host put in scope before any cell ran: %who and %whos leave them out. */
  hide(names: Iterable<string>): void;
}

export const BUILTIN_MAGICS: readonly MagicDef[] = [
  lsmagic, who, writefile, html, svg, markdown, latex, javascript, time, timeitMagic, bash, sh, env, backendMagic,
  flowMagic, compare, magic, quickref, pwd, cd, history, run, whos, reset,
];

/** One per kernel session. `preloaded` names are hidden from %who (default: what the scope holds at first bind). */
export function createMagics(opts: { preloaded?: Iterable<string>; extra?: MagicDef[] } = {}): Magics {
  const registry = new Registry().add(...BUILTIN_MAGICS, ...(opts.extra ?? []));
  const session: Session = { nextGroup: 1, preloaded: opts.preloaded ? new Set(opts.preloaded) : undefined };
  const rewrite = (code: string) => transform(code, registry);
  const running = new Set<Promise<unknown>>();

  return {
    transform: rewrite,
    names: () => registry.names(),
    async settle(ms) {
      if (!running.size) return;
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((r) => (timer = setTimeout(r, ms)));
      await Promise.race([Promise.allSettled([...running]), cap]);
      clearTimeout(timer);
    },
    hide(names) {
      session.preloaded = new Set(names);
    },
    bind(ctx) {
      // Without hide(), the scope at first bind; a first cell's own declarations are in it by then.
      session.preloaded ??= new Set(Object.keys(ctx.scope));
      const rt: MagicRuntime = { ctx, session, registry, run: (body) => ctx.evaluate(rewrite(body)) };
      const invoke = (name: string, kind: 'line' | 'cell', args: string) => {
        const def = registry.resolve(name, kind);
        const spec = registry.argSpec(def, kind) ?? {};
        return { def, parsed: parseArgs(name, args, kind === 'line' && def.code ? { ...spec, raw: true } : spec) };
      };
      return {
        async line(name, args, thunk) {
          const { def, parsed } = invoke(name, 'line', args);
          return def.line!(rt, parsed, thunk);
        },
        async cell(name, args, body) {
          const { def, parsed } = invoke(name, 'cell', args);
          const p = def.cell!(rt, parsed, body);
          running.add(p);
          void p.then(() => running.delete(p), () => running.delete(p));
          return p;
        },
        shell: (command) => runShell(rt, command),
        help: (expr, detail) => objectHelp(rt, expr, detail),
        magicHelp: async (name, kind) => magicHelp(rt, name, kind),
        expand: expandValue,
      };
    },
  };
}
