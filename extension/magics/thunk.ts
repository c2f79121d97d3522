import ts from 'typescript';

/**
 * Turns the statement after `%time`/`%timeit` into the source of an async closure, so it runs in the cell's own
 * scope (locals included). A single expression becomes `() => (expr)` (async if it awaits) so the magic can return its value;
 * `const x = expr` keeps the declaration outside the closure (`const x = await <call>(async () => (expr))`), so
 * `%time const r = await work()` still defines `r` for later lines, like IPython's `%time r = work()`.
 */
export interface CompiledCode {
  /** Source of the closure. */
  thunk: string;
  /** For a single declaration: `const x: T = ` to put before the awaited magic call. */
  declare?: string;
}

export class MagicSyntaxError extends Error {
  override name = 'SyntaxError';
}

export function compileThunk(code: string): CompiledCode {
  // Code without `await` gets a plain closure: %timeit then measures the statement, not an async call's overhead.
  const fn = /\bawait\b/.test(code) ? 'async () =>' : '() =>';
  const sf = ts.createSourceFile('magic.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  // The parser recovers by skipping what it cannot read (`stmt; )`): that must fail, not run what is left.
  if (diags.length) {
    const d = diags[0];
    const col = sf.getLineAndCharacterOfPosition(d.start ?? 0).character + 1;
    throw new MagicSyntaxError(`${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (in the statement, column ${col})`);
  }
  const stmts = sf.statements;
  if (stmts.length === 1) {
    const s = stmts[0];
    if (ts.isExpressionStatement(s)) return { thunk: `${fn} (${s.expression.getText(sf)})` };
    if (ts.isVariableStatement(s) && s.declarationList.declarations.length === 1) {
      const d = s.declarationList.declarations[0];
      if (d.initializer) {
        const head = code.slice(s.getStart(sf), d.initializer.getStart(sf));
        return { thunk: `${fn} (${d.initializer.getText(sf)})`, declare: head };
      }
    }
  }
  // Statements: a block, trailing comments cut off.
  const body = stmts.length ? code.slice(stmts[0].getStart(sf), stmts[stmts.length - 1].end) : code;
  return { thunk: `${fn} { ${body} }` };
}
