// The notebook's preloaded names, typed from the package's own declarations: a module .d.ts whose `declare
// global` re-exports the preloaded exports of extension/index (value and type side, generics kept, via `export import`)
// and types the kernel's globals (flow, display, page, input, _, Out, In).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** dist/ when running built; the sources' root under ts-jest (both have extension/ and kernel/ beside). */
const ROOT = path.join(__dirname, '../..');
export const PRELUDE_FILE = path.join(ROOT, '__flowbook_prelude.d.ts');

/** Names that extension/index exports (read from its .d.ts or .ts: no program needed). */
function exportedNames(): string[] {
  const file = ['extension/index.d.ts', 'extension/index.ts'].map((f) => path.join(ROOT, f)).find((f) => fs.existsSync(f));
  if (!file) return [];
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const names: string[] = [];
  for (const s of sf.statements) {
    if (ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements) names.push(e.name.text);
    }
  }
  return names;
}

/** `preloaded`: the exports that cells find in scope (kernel/shell/prelude.ts); the others stay out. */
export function preludeText(preloaded: readonly string[]): string {
  const mod = (p: string) => JSON.stringify(path.join(ROOT, p));
  const exported = new Set(exportedNames());
  const reexports = preloaded.filter((n) => exported.has(n)).map((n) => `  export import ${n} = fb.${n};`).join('\n');
  return `import * as fb from ${mod('extension/index')};
declare global {
${reexports}
  /** The notebook's ready workflow engine (what %backend configures). */
  var flow: fb.WorkflowEngine;
  /** Rich output in this cell: display(value), display.html(...), display.update(id, value), display.clear(). */
  var display: ReturnType<typeof import(${mod('kernel/shell/display')}).makeDisplay>;
  /** Shows text or a value in the pager (like IPython's page.page). */
  function page(value: unknown): void;
  /** Reads a line from the user (stdin channel). */
  function input(prompt?: string, opts?: { password?: boolean }): string;
  function prompt(message?: string, defaultValue?: string): string;
  function confirm(message?: string): boolean;
  /** Results of earlier cells: _ (last), __, ___, Out[n]; In[n] is cell n's code. */
  var _: any, __: any, ___: any;
  var Out: Record<number, any>;
  var In: string[];
  var __flowbook_magics: any;
}
export {};
`;
}
