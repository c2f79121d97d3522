// Cell TypeScript -> a JS script for vm, with REPL semantics.
// Choice (measured, see docs/kernel.md): the TypeScript compiler API (parse + our own top-level rewrite +
// ts.transpileModule), not tslab's converter: tslab builds a full program per cell (type check on the hot path;
// its first cell takes seconds) while transpileModule is ~1 ms per small cell after warm-up. Type checking runs
// separately, off the hot path (typecheck.ts).
//
// Top-level declarations become assignments to the context's global object so that they persist across cells and
// can be redeclared (REPL); imports become require(); the last expression statement is the cell's value; the body
// runs inside an async arrow so that top-level await works. Edits keep line breaks so that line numbers survive.
import ts from 'typescript';
import { lineMap } from './sourcemap';

export interface CompiledCell {
  js: string;
  /** generated line (0-based) -> cell line (0-based). */
  lines: number[];
  /** columns added in front of the cell's first line. */
  firstLineShift: number;
  transpileMs: number;
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

function importStatement(node: ts.ImportDeclaration): string {
  const spec = node.moduleSpecifier.getText();
  const clause = node.importClause;
  if (!clause) return `require(${spec});`;
  if (clause.isTypeOnly) return '';
  const parts: string[] = [];
  const mod = `require(${spec})`;
  const bindings = clause.namedBindings;
  const named = bindings && ts.isNamedImports(bindings)
    ? bindings.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ? `${e.propertyName.getText()}: ${e.name.text}` : e.name.text))
    : [];
  if (clause.name) parts.push(`${clause.name.text} = ${IMPORT_DEFAULT}(${mod});`);
  if (bindings && ts.isNamespaceImport(bindings)) parts.push(`${bindings.name.text} = ${mod};`);
  if (named.length) parts.push(`;({ ${named.join(', ')} } = ${mod});`);
  return parts.join(' ');
}

function variableStatement(node: ts.VariableStatement): string {
  return node.declarationList.declarations
    .map((d) => {
      const init = d.initializer ? d.initializer.getText() : 'undefined';
      return ts.isIdentifier(d.name) ? `${d.name.text} = ${init};` : `;(${d.name.getText()} = ${init});`;
    })
    .join(' ');
}

/** Rewrites top-level statements; returns edits and the names to publish at the top of the cell. */
function rewrite(sf: ts.SourceFile): { edits: Edit[]; hoisted: string[] } {
  const edits: Edit[] = [];
  const hoisted: string[] = [];
  const replace = (n: ts.Node, text: string) => edits.push({ start: n.getStart(), end: n.end, text });
  const stmts = sf.statements;
  stmts.forEach((s, i) => {
    const declared = hasModifier(s, ts.SyntaxKind.DeclareKeyword);
    if (ts.isImportDeclaration(s)) replace(s, importStatement(s));
    else if (ts.isImportEqualsDeclaration(s)) {
      const ref = s.moduleReference;
      replace(s, s.isTypeOnly ? '' : `${s.name.text} = ${ts.isExternalModuleReference(ref) ? `require(${ref.expression.getText()})` : ref.getText()};`);
    } else if (ts.isExportDeclaration(s)) replace(s, '');
    else if (ts.isExportAssignment(s)) edits.push({ start: s.getStart(), end: s.expression.getStart(), text: '' });
    else if (ts.isVariableStatement(s)) replace(s, declared ? '' : variableStatement(s));
    else if (ts.isFunctionDeclaration(s)) {
      if (declared || !s.body || !s.name) replace(s, declared || !s.body ? '' : s.getText());
      else {
        stripExport(s, edits);
        hoisted.push(`globalThis.${s.name.text} = ${s.name.text};`);
      }
    } else if ((ts.isClassDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) && s.name && ts.isIdentifier(s.name)) {
      if (declared) replace(s, '');
      else {
        stripExport(s, edits);
        const instantiated = !ts.isModuleDeclaration(s) || (ts as any).getModuleInstanceState?.(s) !== 0;
        if (instantiated) edits.push({ start: s.end, end: s.end, text: `;globalThis.${s.name.text} = ${s.name.text};` });
      }
    } else if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) stripExport(s, edits);
    else if (i === stmts.length - 1 && ts.isExpressionStatement(s)) {
      replace(s, `return [${s.expression.getText()}];`);
    }
  });
  return { edits, hoisted };
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
  const sf = parseCell(code);
  const errors = syntaxErrors(sf);
  if (errors.length) throw errors[0];
  const { edits, hoisted } = rewrite(sf);
  const head = PREFIX + hoisted.join('');
  // An uncalled async arrow: Runtime.run calls it inside the context and attaches handlers in the same turn, so a
  // rejection is never "unhandled" for a moment (that would report the error twice).
  const body = head + applyEdits(code, edits) + '\n})';
  if (!needsEmit(sf)) {
    const n = body.split('\n').length;
    return { js: body, lines: Array.from({ length: n }, (_, i) => i), firstLineShift: head.length, transpileMs: performance.now() - t0 };
  }
  const out = ts.transpileModule(body, { compilerOptions: OPTIONS, fileName: 'cell.ts' });
  const js = out.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, '');
  const lines = lineMap(JSON.parse(out.sourceMapText ?? '{"mappings":""}').mappings);
  return { js, lines, firstLineShift: head.length, transpileMs: performance.now() - t0 };
}

export const IMPORT_DEFAULT_NAME = IMPORT_DEFAULT;
