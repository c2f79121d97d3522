// A TypeScript language service over the notebook so far (all executed cells, then the current one), for
// inspect_request. Built lazily: the first query pays the program build (~1 s), later ones are incremental.
import * as path from 'node:path';
import ts from 'typescript';

const FILE = path.join(process.cwd(), '__flowbook_notebook.ts');

export class NotebookService {
  private cells: string[] = [];
  private current = '';
  private version = 0;
  private ls: ts.LanguageService | null = null;

  addCell(code: string): void {
    // Magic lines are not TypeScript; blank them so they do not confuse the parser.
    this.cells.push(code.replace(/^\s*(%|!).*$/gm, ''));
  }

  private service(): ts.LanguageService {
    if (this.ls) return this.ls;
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, lib: ['lib.es2022.d.ts'], strict: false,
      allowJs: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, moduleDetection: ts.ModuleDetectionKind.Legacy,
      typeRoots: [path.join(__dirname, '../../node_modules/@types')], types: ['node'],
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
    return this.cells.join('\n;\n') + '\n;\n' + this.current;
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
