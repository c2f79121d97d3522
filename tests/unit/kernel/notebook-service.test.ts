// The notebook's TypeScript model without the worker: checks see earlier cells, redeclarations replace what came
// before (an edit in the middle of the checked file, reparsed incrementally), and a cell is checked alone.
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';
import { NotebookService } from '../../../kernel/typescript/language-service';
import { NotebookSnapshot } from '../../../kernel/typescript/notebook-file';

describe('NotebookSnapshot', () => {
  const range = (a: string, b: string) => new NotebookSnapshot(b).getChangeRange(new NotebookSnapshot(a))!;
  test('the change range is what lies between the common prefix and suffix', () => {
    expect(range('let a = 1;\n1 + 1', 'let a = 1;\n2 + 2')).toEqual({ span: { start: 11, length: 5 }, newLength: 5 });
    expect(range('abc', 'abXc')).toEqual({ span: { start: 2, length: 0 }, newLength: 1 });
    expect(range('abXc', 'abc')).toEqual({ span: { start: 2, length: 1 }, newLength: 0 });
    expect(range('same', 'same')).toEqual({ span: { start: 4, length: 0 }, newLength: 0 });
  });
  test('applying the range to the old text gives the new text', () => {
    const pairs = [['const x = 1;\n;\nx', 'const x = 1;\n;\nconst y = x;\n;\ny'], ['aaaa', 'aa'], ['', 'new'], ['xyz', '']];
    for (const [a, b] of pairs) {
      const r = range(a, b);
      expect(a.slice(0, r.span.start) + b.slice(r.span.start, r.span.start + r.newLength) + a.slice(ts.textSpanEnd(r.span))).toBe(b);
    }
  });
});

describe('NotebookService checks', () => {
  const nb = new NotebookService([]);
  nb.warm();

  test('a cell is checked against the earlier cells, with its own line numbers', () => {
    expect(nb.checkCell('const count = 3;\nfunction twice(n: number) { return n * 2; }').warnings).toEqual([]);
    const w = nb.checkCell('const ok = twice(count);\nconst s: string = twice(1);').warnings;
    expect(w).toEqual(["line 2: TS2322: Type 'number' is not assignable to type 'string'."]);
  });

  test('errors in earlier cells are not reported again', () => {
    nb.checkCell('const broken: number = "x";');
    expect(nb.checkCell('1 + 1').warnings).toEqual([]);
  });

  test('a redeclaration replaces the earlier one, in the middle of the checked text', () => {
    nb.checkCell('let label = 42;');
    nb.checkCell('const after = 1;');
    expect(nb.checkCell('const n: number = label;').warnings).toEqual([]);
    nb.checkCell("let label = 'now a string';");
    expect(nb.checkCell('const m: number = label;').warnings).toEqual(["line 1: TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(nb.checkCell('const k: number = after + twice(count);').warnings).toEqual([]);
  });

  test('many cells later, the answers are those of a fresh model', () => {
    for (let i = 0; i < 50; i++) nb.checkCell(`const v${i} = { a: ${i} }; function f${i}(x: number) { return x + v${i}.a; }`);
    const fresh = new NotebookService([]);
    for (let i = 0; i < 50; i++) fresh.addCell(`const v${i} = { a: ${i} }; function f${i}(x: number) { return x + v${i}.a; }`);
    const probe = 'const t: string = f49(v3.a);\nconst u = v7.b;';
    expect(nb.checkCell(probe).warnings).toEqual(fresh.checkCell(probe).warnings);
    expect(fresh.checkCell(probe).warnings.length).toBe(2);
  });
});
