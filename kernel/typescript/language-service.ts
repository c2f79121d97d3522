// The notebook as one TypeScript language service: the prelude (typed preloaded API), the executed cells'
// declarations, then the code being edited. Type checks, completion and quick info all come from it; it lives
// on the language worker (language-worker.ts), so the main thread holds no second copy of the model.
import * as path from 'node:path';
import ts from 'typescript';
import { docsAt } from './jsdoc';
import { LIB_FILE, libText } from './lib-file';
import { NotebookSnapshot, semanticDiagnosticsIn } from './notebook-file';
import { PRELUDE_FILE, preludeText } from './prelude';

const FILE = path.join(process.cwd(), '__flowbook_notebook.ts');
const NODE_TYPES = [path.join(__dirname, '../../../node_modules/@types/node'), path.join(__dirname, '../../node_modules/@types/node')]
  .find((d) => ts.sys.fileExists(path.join(d, 'index.d.ts')));
// Node's types in part: all of @types/node doubled the model (+50 MB, +3 s to build). These are the files that
// declare the global scope (process and its streams, Buffer, timers, console, URL, TextEncoder, performance,
// crypto, require, structuredClone, web globals); any other `node:x` module comes with the cell that imports it
// (nodeModulesIn). Preloading fs, child_process, dns, os, path and the like too was 5 MB of the worker's heap
// (30 -> 25 MB) and ~410 of 1,290 kB of text. A test checks the global scope for false warnings.
const NODE_CORE = ['compatibility/iterators', 'globals.typedarray', 'buffer.buffer', 'globals', 'web-globals/abortcontroller',
  'web-globals/domexception', 'web-globals/events', 'web-globals/fetch', 'buffer', 'process', 'timers', 'console', 'events',
  'tty', 'net', 'stream', 'url', 'util', 'perf_hooks', 'crypto', 'module', 'worker_threads'];

/** The @types/node files for the builtin modules that `code` imports or requires. */
function nodeModulesIn(code: string): string[] {
  if (!NODE_TYPES) return [];
  const files: string[] = [];
  for (const m of code.matchAll(/(?:from\s*|require\(\s*|import\(\s*)['"](?:node:)?([a-z_]+(?:\/[a-z_]+)?)['"]/g)) {
    const file = path.join(NODE_TYPES, `${m[1]}.d.ts`);
    if (ts.sys.fileExists(file)) files.push(file);
  }
  return files;
}
// JSDoc is parsed in JS files only (it types them); in .ts/.d.ts it is read when inspected (jsdoc.ts). Parsing it
// all was ~250 ms of a ~1 s cold build and ~4.5 MB of the model, nearly all of it @types/node's and the lib's.
const JSDOC = ts.JSDocParsingMode.ParseForTypeInfo;
// REPL artefacts of checking the cells as one script, which the kernel supports:
// 2451/2300/2393: redeclared names; 1375/1378/1431/1309: top-level await; 2853/2854: top-level `await using`;
// 1108: return outside a function (our cell value); 2448/2454: use before declaration across cells.
const IGNORED = new Set([2451, 2300, 2393, 1375, 1378, 1431, 1309, 2853, 2854, 1108, 2448, 2454]);

/** Magic and shell lines are not TypeScript: blanked with spaces, so positions in the cell stay the same. */
export function blankMagics(code: string): string {
  return code.replace(/^([ \t]*)((?:(?:const|let|var)\s+[\w$]+\s*=\s*)?[%!].*|[\w$.]+\s*\?\??\s*)$/gm, (_m, ind: string, rest: string) => ind + ' '.repeat(rest.length));
}

export interface Completion {
  names: string[];
  /** Members of an expression (after `.`): then the runtime's global names do not apply. */
  member: boolean;
}

export class NotebookService {
  /** Top-level statements of executed cells, with the names each declares. */
  private stmts: { names: string[]; text: string; keep?: boolean }[] = [];
  private current = '';
  private version = 0;
  private ls: ts.LanguageService | null = null;
  private readonly prelude: string;
  constructor(preloaded: readonly string[]) {
    this.prelude = preludeText(preloaded);
  }

  private readonly roots = new Set([LIB_FILE, PRELUDE_FILE]);
  /** Node's global types are added by warm(), after a first program that answers questions sent at start. */
  private withNode(): void {
    for (const f of NODE_TYPES ? NODE_CORE.map((f) => path.join(NODE_TYPES, `${f}.d.ts`)) : []) this.roots.add(f);
  }

  /** Records `code` as executed; true if that changed what later cells are checked against. */
  addCell(code: string): boolean {
    this.current = '';
    const roots = this.roots.size;
    for (const f of nodeModulesIn(code)) this.roots.add(f); // a cell recorded unchecked (mode off) imports too
    const parsed = split(blankMagics(code));
    // A REPL may redeclare a name: the newest declaration replaces the old one for the checker too.
    const redeclared = new Set(parsed.flatMap((p) => p.names));
    const before = this.stmts.length;
    this.stmts = this.stmts.filter((p) => !p.names.some((n) => redeclared.has(n)));
    // Statements that declare nothing (expressions, loops) cannot affect later cells' types: not kept, so the
    // checked text grows with declarations only, not with every cell run.
    const kept = parsed.filter((p) => p.names.length || p.keep);
    this.stmts.push(...kept);
    this.version++;
    return kept.length > 0 || this.stmts.length !== before || this.roots.size !== roots;
  }

  /** Drops the executed statements that declare any of `names` (%reset). */
  forget(names: readonly string[]): void {
    const gone = new Set(names);
    const before = this.stmts.length;
    this.stmts = this.stmts.filter((p) => !p.names.some((n) => gone.has(n)));
    if (this.stmts.length !== before) this.version++;
  }

  private service(): ts.LanguageService {
    if (this.ls) return this.ls;
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noLib: true, // the lib is LIB_FILE
      strict: false, allowJs: true, noEmit: true, skipLibCheck: true, esModuleInterop: true,
      moduleDetection: ts.ModuleDetectionKind.Legacy, types: [],
    };
    const own = (f: string) => f === FILE || f === PRELUDE_FILE || f === LIB_FILE;
    const lib = libText(['es2023', 'esnext.disposable']);
    const read = (f: string) => (f === FILE ? this.text() : f === PRELUDE_FILE ? this.prelude : f === LIB_FILE ? lib : ts.sys.readFile(f));
    // Library files never change (version '0'), but the service asks for every file's snapshot on each new
    // program: read from disk each time, that was 5 ms of a trivial cell's 6 ms check.
    const snapshots = new Map<string, ts.IScriptSnapshot | undefined>();
    // getModuleResolutionCache is read by the service (services.ts) though its host type does not declare it.
    const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
      getCompilationSettings: () => options,
      jsDocParsingMode: JSDOC,
      getScriptFileNames: () => [...this.roots, FILE],
      getScriptVersion: (f) => (f === FILE ? String(this.version) : '0'),
      getScriptSnapshot: (f) => {
        if (f !== FILE && snapshots.has(f)) return snapshots.get(f);
        const text = read(f);
        const snapshot = text === undefined ? undefined : f === FILE ? new NotebookSnapshot(text) : ts.ScriptSnapshot.fromString(text);
        if (f !== FILE) snapshots.set(f, snapshot);
        return snapshot;
      },
      getCurrentDirectory: () => process.cwd(),
      // Shared by every program: without it each new program looked up and parsed the package.json above
      // each node_modules file again (0.8 ms a cell in tryParseJson).
      getModuleResolutionCache: () => cache,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => own(f) || ts.sys.fileExists(f),
      readFile: read,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      // The package's .d.ts say `/// <reference types="node" />`: that would load all of @types/node again.
      resolveTypeReferenceDirectiveReferences: (refs) => refs.map(() => ({ resolvedTypeReferenceDirective: undefined })),
      // The report's renderer types reach into vega's own (0.5 MB of .d.ts, a third of the program's build):
      // nothing a cell needs. Unresolved, they are `any`.
      resolveModuleNameLiterals: (lits, containing, redirected, opts, file) => lits.map((l) => (/^vega(-lite)?$/.test(l.text)
        ? { resolvedModule: undefined }
        : ts.resolveModuleName(l.text, containing, opts, host, cache, redirected, ts.getModeForUsageLocation(file, l, opts)))),
    };
    const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
    this.ls = ts.createLanguageService(host, ts.createDocumentRegistry(undefined, undefined, JSDOC));
    return this.ls;
  }

  private text(): string {
    const redeclared = new Set(split(this.current).flatMap((p) => p.names));
    const kept = this.stmts.filter((p) => !p.names.some((n) => redeclared.has(n)));
    return kept.map((p) => p.text).join('\n;\n') + '\n;\n' + this.current;
  }

  /** Puts `code` after the executed cells; returns where it starts in the file. */
  private edit(code: string): number {
    const current = blankMagics(code);
    // Same text, same program: the checker (and what it resolved) is reused. Tab pressed again costs ~1 ms.
    if (current !== this.current) {
      this.current = current;
      for (const f of nodeModulesIn(current)) this.roots.add(f);
      this.version++;
    }
    return this.text().length - this.current.length;
  }

  /**
   * The first program: the lib and the notebook API, without Node's types (a third of its text). A quick-info
   * or completion sent at start waits for this one only; warm() then adds the rest.
   */
  warmGlobals(): void {
    this.edit('');
    this.service().getQuickInfoAtPosition(FILE, 0);
  }

  /** Builds the whole program (the first query pays ~1 s): done at start so that the first answer is quick. */
  warm(): void {
    this.withNode();
    this.edit('');
    this.service().getSemanticDiagnostics(FILE);
    this.service().getQuickInfoAtPosition(FILE, 0);
  }

  /**
   * Type errors of `code` as the next cell (earlier cells as context), then records it as executed. REPL
   * artefacts of checking cells as one file (redeclared names, top-level await/return) are not reported.
   */
  checkCell(code: string): { warnings: string[]; changed: boolean } {
    this.withNode(); // a check needs Node's globals (no warm answer yet: none would be a false warning)
    const roots = this.roots.size;
    const offset = this.edit(code);
    const cell = this.current;
    const ls = this.service();
    const diags = [...ls.getSyntacticDiagnostics(FILE), ...semanticDiagnosticsIn(ls, FILE, offset, offset + cell.length)];
    const out = diags
      .filter((d) => (d.start ?? 0) >= offset && !IGNORED.has(d.code))
      .map((d) => {
        const pos = (d.start ?? 0) - offset;
        const line = cell.slice(0, pos).split('\n').length;
        return `line ${line}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    this.current = '';
    const changed = this.addCell(code) || this.roots.size !== roots;
    return { warnings: out, changed };
  }

  /** Quick info (type / signature + JSDoc) at `cursor` in `code`, or null. */
  quickInfo(code: string, cursor: number): string | null {
    const offset = this.edit(code);
    const ls = this.service();
    const info = ls.getQuickInfoAtPosition(FILE, offset + cursor) ?? (cursor > 0 ? ls.getQuickInfoAtPosition(FILE, offset + cursor - 1) : undefined);
    // An unresolved name gets bare `any` (kind ''): nothing to show.
    if (!info || info.kind === ts.ScriptElementKind.unknown) return null;
    const sig = ts.displayPartsToString(info.displayParts);
    let doc = ts.displayPartsToString(info.documentation);
    let tags = (info.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`.trimEnd());
    // Only JS files' JSDoc is parsed (see jsDocParsingMode): the rest is read now, for this one name.
    if (!doc && !tags.length) ({ text: doc, tags } = docsAt(ls.getProgram()!, FILE, info.textSpan.start) ?? { text: '', tags: [] });
    return [sig, doc, tags.join('\n')].filter(Boolean).join('\n\n');
  }

  /** Completion names at `cursor` whose start matches the word being typed. */
  completions(code: string, cursor: number): Completion {
    const offset = this.edit(code);
    const prefix = /[\w$]*$/.exec(code.slice(0, cursor))![0];
    const r = this.service().getCompletionsAtPosition(FILE, offset + cursor, { includeCompletionsWithInsertText: false });
    if (!r) return { names: [], member: false };
    const names = r.entries
      .filter((e) => e.kind !== ts.ScriptElementKind.warning && /^[A-Za-z_$][\w$]*$/.test(e.name) && e.name.startsWith(prefix))
      .map((e) => e.name);
    return { names, member: r.isMemberCompletion };
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
