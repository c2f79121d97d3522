// JSDoc of a declaration, read when quick info asks for it. The language service parses no JSDoc in .ts and
// .d.ts files (jsDocParsingMode): most of @types/node and the lib is comments, and parsing them was a third of
// the program's build (~250 of ~1000 ms cold) and ~4.5 MB of its heap, for the few a user ever inspects.
import ts from 'typescript';

export interface Doc {
  text: string;
  tags: string[];
}

/** The node whose span starts at `start` (quick info's textSpan: the name it describes). */
function nodeStartingAt(sf: ts.SourceFile, start: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (n.getStart(sf) > start || n.end <= start) return;
    found = n;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(sf, visit);
  return found;
}

/** Where a declaration's JSDoc is written: a variable's is on its statement (`/** doc *\/ const x = 1`). */
function commented(d: ts.Declaration): ts.Node {
  if (ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && ts.isVariableStatement(d.parent.parent)) return d.parent.parent;
  return d;
}

/** The last `/** ... *\/` before `node`, parsed on its own (with a stand-in declaration to hold it). */
function jsDocOf(node: ts.Node): Doc | null {
  const text = node.getSourceFile().text;
  const block = (ts.getLeadingCommentRanges(text, node.pos) ?? []).filter((r) => text.startsWith('/**', r.pos) && r.end - r.pos > 4).pop();
  if (!block) return null;
  const src = `${text.slice(block.pos, block.end)}\nvar _;`;
  const holder = ts.createSourceFile('doc.ts', src, ts.ScriptTarget.ES2022, true).statements[0];
  const doc = ts.getJSDocCommentsAndTags(holder).find(ts.isJSDoc);
  if (!doc) return null;
  const part = (c: ts.JSDocTag['comment']) => ts.getTextOfJSDocComment(c) ?? '';
  const tags = (doc.tags ?? []).map((t) => {
    // @param and @template name what they describe
    const named = ts.isJSDocParameterTag(t) || ts.isJSDocPropertyTag(t) ? t.name.getText()
      : ts.isJSDocTemplateTag(t) ? t.typeParameters.map((p) => p.name.text).join(', ') : '';
    return `@${t.tagName.text} ${[named, part(t.comment)].filter(Boolean).join(' ')}`.trimEnd();
  });
  return { text: part(doc.comment), tags };
}

/**
 * The JSDoc of what quick info at `start` in `file` describes: the symbol there (an alias followed to what it
 * names, as quick info does); the docs of its declarations joined, as the language service joins them.
 */
export function docsAt(program: ts.Program, file: string, start: number): Doc | null {
  const sf = program.getSourceFile(file);
  const node = sf && nodeStartingAt(sf, start);
  if (!node) return null;
  const checker = program.getTypeChecker();
  let symbol = checker.getSymbolAtLocation(node);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const docs = (symbol?.declarations ?? []).map((d) => jsDocOf(commented(d))).filter((d): d is Doc => d !== null);
  if (!docs.length) return null;
  // Overloads: quick info shows one signature (the first), so only its doc, as the service does.
  if (symbol!.declarations!.every(ts.isFunctionLike)) return docs[0];
  return { text: [...new Set(docs.map((d) => d.text).filter(Boolean))].join('\n'), tags: docs.flatMap((d) => d.tags) };
}
