import ts from 'typescript';
import type { DisplaySink, MimeBundle } from '../../../extension/display';
import { createMagics, MAGIC_GLOBAL, type Magics } from '../../../extension/magics';
import type { MagicContext } from '../../../extension/magics/types';

/** A DisplaySink that records every call, in order. */
export class RecordingSink implements DisplaySink {
  calls: { kind: 'stdout' | 'stderr' | 'display' | 'update' | 'clear'; text?: string; bundle?: MimeBundle; id?: string }[] = [];
  stdout(text: string) {
    this.calls.push({ kind: 'stdout', text });
  }
  stderr(text: string) {
    this.calls.push({ kind: 'stderr', text });
  }
  display(bundle: MimeBundle, opts?: { id?: string }) {
    this.calls.push({ kind: 'display', bundle, id: opts?.id });
  }
  update(id: string, bundle: MimeBundle) {
    this.calls.push({ kind: 'update', bundle, id });
  }
  clear() {
    this.calls.push({ kind: 'clear' });
  }
  get out(): string {
    return this.calls.filter((c) => c.kind === 'stdout').map((c) => c.text).join('');
  }
  get err(): string {
    return this.calls.filter((c) => c.kind === 'stderr').map((c) => c.text).join('');
  }
  of(kind: string) {
    return this.calls.filter((c) => c.kind === kind);
  }
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (s: object) => Promise<unknown>;

/**
 * A tiny stand-in for the kernel's evaluator: transpile the TS, make top-level declarations scope properties,
 * return the last expression statement's value, and run it with `with (scope)` in an AsyncFunction.
 */
export function evaluateIn(scope: Record<string, unknown>, code: string): Promise<unknown> {
  const sf = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let src = '';
  sf.statements.forEach((s, i) => {
    const last = i === sf.statements.length - 1;
    if (ts.isVariableStatement(s) && s.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && d.initializer)) {
      for (const d of s.declarationList.declarations) {
        const name = (d.name as ts.Identifier).text;
        if (!(name in scope)) scope[name] = undefined;
        src += `${name} = (${d.initializer!.getText(sf)});\n`;
      }
    } else if (ts.isFunctionDeclaration(s) && s.name) {
      scope[s.name.text] = undefined;
      src += `${s.name.text} = ${s.getText(sf).replace(/^(export\s+)?(async\s+)?function/, '$2function')};\n`;
    } else if (last && ts.isExpressionStatement(s)) {
      src += `return (${s.expression.getText(sf)});\n`;
    } else {
      src += s.getText(sf) + '\n';
    }
  });
  const js = ts.transpile(src, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None });
  return new AsyncFunction('__scope', `with (__scope) { ${js}\n}`)(scope);
}

export interface Harness {
  magics: Magics;
  scope: Record<string, unknown>;
  sink: RecordingSink;
  abort: AbortController;
  /** Run one cell the way the kernel does: transform, bind, evaluate. */
  cell(code: string): Promise<unknown>;
}

export function harness(scope: Record<string, unknown> = {}, magics = createMagics()): Harness {
  const h: Harness = {
    magics,
    scope,
    sink: new RecordingSink(),
    abort: new AbortController(),
    async cell(code) {
      const transformed = magics.transform(code);
      const ctx: MagicContext = {
        out: h.sink,
        scope,
        signal: h.abort.signal,
        executionCount: 1,
        evaluate: (c) => evaluateIn(scope, c),
      };
      scope[MAGIC_GLOBAL] = magics.bind(ctx);
      return evaluateIn(scope, transformed);
    },
  };
  return h;
}
