// Cell TypeScript -> a JS script for vm, with REPL semantics.
// Choice (measured, see docs/kernel.md): the TypeScript compiler API (parse + our own top-level rewrite +
// ts.transpileModule), not tslab's converter: tslab builds a full program per cell (type check on the hot path;
// its first cell takes seconds) while transpileModule is ~1 ms per small cell after warm-up. Type checking runs
// separately, off the hot path (typecheck.ts).
//
// Top-level declarations (let, const, var, imports) become assignments to script-scope `let` bindings that the realm
// declares once per name (realm/runtime.ts `declare`), so that they persist across cells, can be redeclared (REPL),
// and stay fast: a global-object property of a vm context took 5.1 s for a 3e6-iteration loop, a script-scope
// binding 40 ms, as in plain `node -e`. Functions, classes and enums stay declarations in the cell (hoisting) and
// are published through a per-name setter. The last expression statement is the cell's value; the body runs inside
// an async arrow so that top-level await works. `await x` becomes `await __flowbook_await(x)`, which resumes the
// cell inside a breakable vm run when x is a host promise (realm/bridge.ts). Edits keep line breaks, so line
// numbers survive.
import ts from 'typescript';
import { lineMap } from './sourcemap';
import { ASYNC_ITER_BRIDGE, AWAIT_BRIDGE } from '../../extension/host';

export interface CompiledCell {
  js: string;
  /** generated line (0-based) -> cell line (0-based). */
  lines: number[];
  /** columns added in front of the cell's first line. */
  firstLineShift: number;
  transpileMs: number;
  /** Top-level names the cell declares: the realm gives each a script-scope binding before the cell runs. */
  declared: string[];
  /** For traceback columns (sourcemap.ts): the cell, the rewritten body before emit, the emit's mappings. */
  cell?: string;
  body?: string;
  mappings?: string;
}

export class CellSyntaxError extends Error {
  override name = 'SyntaxError';
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`${message} (line ${line}, column ${column})`);
  }
}

interface Edit { start: number; end: number; text: string }

const PREFIX = '(async () => {';
const IMPORT_DEFAULT = '__flowbook_importDefault';
/** Reserved names in the realm: a user's own `require` or `Promise` must not break imports or awaits. */
export const REQUIRE_NAME = '__flowbook_require';
export const AWAIT_NAME = AWAIT_BRIDGE;
export const ASYNC_ITER_NAME = ASYNC_ITER_BRIDGE;
export const SETTERS_NAME = '__flowbook_set';

export function parseCell(code: string): ts.SourceFile {
  return ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Syntax errors from the parser (not type errors). */
export function syntaxErrors(sf: ts.SourceFile): CellSyntaxError[] {
  const diags = ((sf as any).parseDiagnostics ?? []) as ts.Diagnostic[];
  return diags.map((d) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    return new CellSyntaxError(ts.flattenDiagnosticMessageText(d.messageText, '\n'), line + 1, character + 1);
  });
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return !!(ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === kind));
}

/** Blank out export/default modifiers in place (same length keeps positions). */
function stripExport(node: ts.Node, edits: Edit[]): void {
  for (const m of (ts.canHaveModifiers(node) && ts.getModifiers(node)) || []) {
    if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) {
      edits.push({ start: m.getStart(), end: m.end, text: ' '.repeat(m.end - m.getStart()) });
    }
  }
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

function importStatement(node: ts.ImportDeclaration, names: string[]): string {
  const spec = node.moduleSpecifier.getText();
  const clause = node.importClause;
  if (!clause) return `${REQUIRE_NAME}(${spec});`;
  if (clause.isTypeOnly) return '';
  const parts: string[] = [];
  const mod = `${REQUIRE_NAME}(${spec})`;
  const bindings = clause.namedBindings;
  const named = bindings && ts.isNamedImports(bindings)
    ? bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ? `${e.propertyName.getText()}: ${e.name.text}` : e.name.text))
    : [];
  if (clause.name) parts.push(`${clause.name.text} = ${IMPORT_DEFAULT}(${mod});`);
  if (clause.name) names.push(clause.name.text);
  if (bindings && ts.isNamespaceImport(bindings)) parts.push(`${bindings.name.text} = ${mod};`);
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
  if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) if (!e.isTypeOnly) names.push(e.name.text);
  if (named.length) parts.push(`;({ ${named.join(', ')} } = ${mod});`);
  return parts.join(' ');
}

function variableStatement(node: ts.VariableStatement, names: string[]): string {
  const isVar = !(node.declarationList.flags & ts.NodeFlags.BlockScoped);
  return node.declarationList.declarations
    .map((d) => {
      bindingNames(d.name, names);
      if (!d.initializer && isVar) return ''; // `var x;` keeps x's value, as in a script
      const init = d.initializer ? d.initializer.getText() : 'undefined';
      return ts.isIdentifier(d.name) ? `${d.name.text} = ${init};` : `;(${d.name.getText()} = ${init});`;
    })
    .join(' ');
}

/** Rewrites top-level statements; returns edits, the names to publish at the top of the cell, and all names. */
function rewrite(sf: ts.SourceFile): { edits: Edit[]; hoisted: string[]; declared: string[] } {
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const declared: string[] = [];
  const publish = (name: string) => `${SETTERS_NAME}.${name}(${name});`;
  const replace = (n: ts.Node, text: string) => edits.push({ start: n.getStart(), end: n.end, text });
  const stmts = sf.statements;
  stmts.forEach((s, i) => {
    const isDeclare = hasModifier(s, ts.SyntaxKind.DeclareKeyword);
    if (ts.isImportDeclaration(s)) replace(s, importStatement(s, declared));
    else if (ts.isImportEqualsDeclaration(s)) {
      const ref = s.moduleReference;
      if (!s.isTypeOnly) declared.push(s.name.text);
      replace(s, s.isTypeOnly ? '' : `${s.name.text} = ${ts.isExternalModuleReference(ref) ? `${REQUIRE_NAME}(${ref.expression.getText()})` : ref.getText()};`);
    } else if (ts.isExportDeclaration(s)) replace(s, '');
    else if (ts.isExportAssignment(s)) edits.push({ start: s.getStart(), end: s.expression.getStart(), text: '' });
    else if (ts.isVariableStatement(s)) replace(s, isDeclare ? '' : variableStatement(s, declared));
    else if (ts.isFunctionDeclaration(s)) {
      if (isDeclare || !s.body || !s.name) replace(s, isDeclare || !s.body ? '' : s.getText());
      else {
        stripExport(s, edits);
        declared.push(s.name.text);
        hoisted.push(publish(s.name.text));
      }
    } else if ((ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) && s.name && ts.isIdentifier(s.name)) {
      if (isDeclare) replace(s, '');
      else {
        stripExport(s, edits);
        const instantiated = !ts.isModuleDeclaration(s) || (ts as any).getModuleInstanceState?.(s) !== 0;
        if (instantiated) {
          declared.push(s.name.text);
          edits.push({ start: s.end, end: s.end, text: `;${publish(s.name.text)}` });
        }
      }
    } else if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) stripExport(s, edits);
    else if (i === stmts.length - 1 && ts.isExpressionStatement(s)) {
      replace(s, `return [(${s.expression.getText()})];`);
    }
  });
  return { edits, hoisted, declared: [...new Set(declared)] };
}

/**
 * `await x` -> `await __flowbook_await(x)` and `for await (… of it)` -> `for await (… of __flowbook_asyncIter(it))`,
 * everywhere in the cell (nested async functions too). Insertions only, so nested awaits compose; columns after
 * an await on its line move right by the inserted name.
 */
function bridgeAwaits(code: string, sf: ts.SourceFile): string {
  if (!code.includes('await')) return code;
  const inserts: { pos: number; text: string }[] = [];
  const wrap = (e: ts.Expression, name: string) => {
    inserts.push({ pos: e.getStart(), text: `${name}(` }, { pos: e.end, text: ')' });
  };
  const visit = (n: ts.Node): void => {
    if (ts.isAwaitExpression(n)) wrap(n.expression, AWAIT_NAME);
    else if (ts.isForOfStatement(n) && n.awaitModifier) wrap(n.expression, ASYNC_ITER_NAME);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  inserts.sort((a, b) => b.pos - a.pos);
  let out = code;
  for (const i of inserts) out = out.slice(0, i.pos) + i.text + out.slice(i.pos);
  return out;
}

function applyEdits(code: string, edits: Edit[]): string {
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) {
    const removed = out.slice(e.start, e.end);
    const lost = (removed.match(/\n/g)?.length ?? 0) - (e.text.match(/\n/g)?.length ?? 0);
    out = out.slice(0, e.start) + e.text + '\n'.repeat(Math.max(0, lost)) + out.slice(e.end);
  }
  return out;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  preserveConstEnums: true,
  useDefineForClassFields: true,
  experimentalDecorators: false,
  jsx: ts.JsxEmit.React,
};

const TS_ONLY_MODIFIERS = new Set([
  ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword, ts.SyntaxKind.AbstractKeyword, ts.SyntaxKind.DeclareKeyword,
  ts.SyntaxKind.OverrideKeyword,
]);

/** True if the cell uses any TypeScript-only syntax. Plain-JS cells skip the emitter (4 ms -> ~0.1 ms). */
function needsEmit(sf: ts.SourceFile): boolean {
  const visit = (n: ts.Node): boolean => {
    if (ts.isTypeNode(n) || ts.isAsExpression(n) || ts.isSatisfiesExpression(n) || ts.isNonNullExpression(n) ||
      ts.isTypeAssertionExpression(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) ||
      ts.isEnumDeclaration(n) || ts.isModuleDeclaration(n) || ts.isDecorator(n) || ts.isImportEqualsDeclaration(n) ||
      ts.isJsxElement(n) || ts.isJsxSelfClosingElement(n) || ts.isJsxFragment(n) || ts.isHeritageClause(n) ||
      (ts.isParameter(n) && !!n.questionToken) || (ts.isVariableDeclaration(n) && !!n.exclamationToken) ||
      (ts.isPropertyDeclaration(n) && !!(n.questionToken || n.exclamationToken)) ||
      ((ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isCallExpression(n) || ts.isNewExpression(n)) &&
        !!((n as any).typeParameters || (n as any).typeArguments)) ||
      (ts.canHaveModifiers(n) && !!ts.getModifiers(n)?.some((m) => TS_ONLY_MODIFIERS.has(m.kind)))) return true;
    return ts.forEachChild(n, visit) ?? false;
  };
  return visit(sf);
}

export function compileCell(code: string): CompiledCell {
  const t0 = performance.now();
  const cell = code;
  let sf = parseCell(code);
  const errors = syntaxErrors(sf);
  if (errors.length) throw errors[0];
  const bridged = bridgeAwaits(code, sf);
  if (bridged !== code) sf = parseCell((code = bridged));
  const { edits, hoisted, declared } = rewrite(sf);
  const head = PREFIX + hoisted.join('');
  // An uncalled async arrow: Runtime.run calls it inside the context and attaches handlers in the same turn, so a
  // rejection is never "unhandled" for a moment (that would report the error twice).
  const body = head + applyEdits(code, edits) + '\n})';
  if (!needsEmit(sf)) {
    const n = body.split('\n').length;
    return { js: body, lines: Array.from({ length: n }, (_, i) => i), firstLineShift: head.length, transpileMs: performance.now() - t0, declared, cell, body };
  }
  const out = ts.transpileModule(body, { compilerOptions: OPTIONS, fileName: 'cell.ts' });
  const js = out.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, '');
  const mappings: string = JSON.parse(out.sourceMapText ?? '{"mappings":""}').mappings;
  return { js, lines: lineMap(mappings), firstLineShift: head.length, transpileMs: performance.now() - t0, declared, cell, body, mappings };
}

export const IMPORT_DEFAULT_NAME = IMPORT_DEFAULT;
