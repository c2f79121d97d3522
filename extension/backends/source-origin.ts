/**
 * Where a shipped function was written, so that a worker's stack frames name that file, line and column
 * (`cell-3.ts:5:11`, mapped to the cell's lines by the kernel as an in-loop task's frames are), not the
 * worker's own revival code. The kernel knows its cells (extension/host.ts `locateFunction`); a plain script is
 * searched for the function's text when it is the main module. Unknown: the worker names the task instead.
 */
import * as fs from 'node:fs';
import { currentHost, type SourceOrigin } from '../host';

export type { SourceOrigin } from '../host';

/** `text` is `fn.toString()`: V8 returns the exact slice of the script it was compiled from. */
export function functionOrigin(text: string): SourceOrigin | undefined {
  const host = currentHost();
  if (host?.locateFunction) {
    try {
      return host.locateFunction(text) ?? undefined;
    } catch {
      return undefined; // a frame that names the task is still a frame; never fail a task over it
    }
  }
  return mainScriptOrigin(text);
}

let mainText: { file: string; text: string } | null | undefined;

/**
 * The names the main script declares at its top level (parsed once), for the closure check: a script's
 * `const URL = '…'` hides the global URL from its own functions, but a worker would see its global URL.
 */
let topLevel: { file: string; names: Set<string> } | undefined;

export function scriptTopLevelNames(file: string): Set<string> | undefined {
  if (!mainText || mainText.file !== file) return undefined;
  if (topLevel?.file !== file) {
    const ts = require('typescript') as typeof import('typescript');
    const sf = ts.createSourceFile(file, mainText.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
    const names = new Set<string>();
    const bind = (n: import('typescript').BindingName): void => {
      if (ts.isIdentifier(n)) names.add(n.text);
      else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
    };
    for (const s of sf.statements) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
      else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.add(s.name.text);
    }
    topLevel = { file, names };
  }
  return topLevel.names;
}

function mainScriptOrigin(text: string): SourceOrigin | undefined {
  if (mainText === undefined) {
    const file = require.main?.filename;
    try {
      mainText = file ? { file, text: fs.readFileSync(file, 'utf8') } : null;
    } catch {
      mainText = null;
    }
  }
  const at = mainText ? mainText.text.indexOf(text) : -1;
  if (!mainText || at < 0) return undefined;
  const before = mainText.text.slice(0, at);
  return { file: mainText.file, line: before.split('\n').length - 1, column: at - (before.lastIndexOf('\n') + 1) };
}
