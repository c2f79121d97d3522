// A TypeScript language service over the notebook so far (all executed cells, then the current one), for
// inspect_request. Built lazily: the first query pays the program build (~1 s), later ones are incremental.
import * as path from 'node:path';
import ts from 'typescript';

const FILE = path.join(process.cwd(), '__flowbook_notebook.ts');
// 2451/2300/2393: redeclared names (allowed in a REPL); 1375/1378/1431: top-level await in a script;
// 1108: return outside a function (our cell value); 2448/2454: use before declaration across cells.
const IGNORED = new Set([2451, 2300, 2393, 1375, 1378, 1431, 1108, 2448, 2454]);

export class NotebookService {
  /** Top-level statements of executed cells, with the names each declares. */
  private stmts: { names: string[]; text: string; keep?: boolean }[] = [];
  private current = '';
  /** Ambient declarations for what the kernel preloads into the scope (engine exports, flow, display, page). */
  private prelude = '';

  setGlobals(names: string[]): void {
    this.prelude = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).map((n) => `declare var ${n}: any;`).join(' ') + '\n';
    this.version++;
  }
  private version = 0;
  private ls: ts.LanguageService | null = null;

  addCell(code: string): void {
    const parsed = split(code.replace(/^\s*(%|!).*$/gm, ''));
    // A REPL may redeclare a name: the newest declaration replaces the old one for the checker too.
    const redeclared = new Set(parsed.flatMap((p) => p.names));
    this.stmts = this.stmts.filter((p) => !p.names.some((n) => redeclared.has(n)));
    // Statements that declare nothing (expressions, loops) cannot affect later cells' types: not kept, so the
    // checked text grows with declarations only, not with every cell run.
    this.stmts.push(...parsed.filter((p) => p.names.length || p.keep));
  }

  private service(): ts.LanguageService {
    if (this.ls) return this.ls;
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, lib: ['lib.es2022.d.ts'], strict: false,
      allowJs: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, moduleDetection: ts.ModuleDetectionKind.Legacy,
      typeRoots: [path.join(__dirname, '../../../node_modules/@types')], types: ['node'],
    };
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [FILE],
      getScriptVersion: (f) => (f === FILE ? String(this.version) : '0'),
      getScriptSnapshot: (f) => {
        if (f === FILE) return ts.ScriptSnapshot.fromString(this.text());
        const text = ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => process.cwd(),
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => f === FILE || ts.sys.fileExists(f),
      readFile: (f) => (f === FILE ? this.text() : ts.sys.readFile(f)),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.ls = ts.createLanguageService(host, ts.createDocumentRegistry());
    return this.ls;
  }

  private text(): string {
    const redeclared = new Set(split(this.current).flatMap((p) => p.names));
    const kept = this.stmts.filter((p) => !p.names.some((n) => redeclared.has(n)));
    return this.prelude + kept.map((p) => p.text).join('\n;\n') + '\n;\n' + this.current;
  }

  /**
   * Type errors of `code` as the next cell (earlier cells as context), then records it as executed. REPL
   * artefacts of checking cells as one file (redeclared names, top-level await/return) are not reported.
   */
  checkCell(code: string): string[] {
    const cell = code.replace(/^\s*(%|!).*$/gm, '');
    this.current = cell;
    this.version++;
    const offset = this.text().length - cell.length;
    const ls = this.service();
    const diags = [...ls.getSyntacticDiagnostics(FILE), ...ls.getSemanticDiagnostics(FILE)];
    const out = diags
      .filter((d) => (d.start ?? 0) >= offset && !IGNORED.has(d.code))
      .map((d) => {
        const pos = (d.start ?? 0) - offset;
        const line = cell.slice(0, pos).split('\n').length;
        return `line ${line}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    this.addCell(code);
    this.current = '';
    return out;
  }

  /** Quick info (type / signature + docs) at `cursor` in `code`, or null. */
  quickInfo(code: string, cursor: number): string | null {
    this.current = code;
    this.version++;
    const offset = this.text().length - code.length;
    const ls = this.service();
    const info = ls.getQuickInfoAtPosition(FILE, offset + cursor) ?? (cursor > 0 ? ls.getQuickInfoAtPosition(FILE, offset + cursor - 1) : undefined);
    if (!info) return null;
    const sig = ts.displayPartsToString(info.displayParts);
    const doc = ts.displayPartsToString(info.documentation);
    return doc ? `${sig}\n\n${doc}` : sig;
  }
}

function declaredNames(s: ts.Statement): string[] {
  if (ts.isVariableStatement(s)) {
    const out: string[] = [];
    const walk = (n: ts.BindingName) => (ts.isIdentifier(n) ? out.push(n.text) : n.elements.forEach((e) => !ts.isOmittedExpression(e) && walk(e.name)));
    s.declarationList.declarations.forEach((d) => walk(d.name));
    return out;
  }
  const name = (s as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? [name.text] : [];
}

function split(code: string): { names: string[]; text: string; keep: boolean }[] {
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return sf.statements.map((s) => ({
    names: declaredNames(s),
    text: s.getFullText(),
    keep: ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || ts.isModuleDeclaration(s),
  }));
}
