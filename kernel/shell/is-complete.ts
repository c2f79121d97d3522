// is_complete_request from the TypeScript parser: errors at the very end of the input mean "keep typing".
import ts from 'typescript';
import { parseCell } from '../typescript/transpile';
import { parseable } from './input-bounds';

export function isComplete(code: string): { status: string; indent?: string } {
  if (!code.trim()) return { status: 'complete' };
  if (!parseable(code)) return { status: 'unknown' };
  let sf: ts.SourceFile;
  try {
    sf = parseCell(code);
  } catch {
    return { status: 'unknown' }; // e.g. a RangeError from a nesting the bound missed
  }
  const diags = ((sf as any).parseDiagnostics ?? []) as ts.Diagnostic[];
  if (!diags.length) return { status: 'complete' };
  const end = code.trimEnd().length;
  const atEnd = diags.every((d) => (d.start ?? 0) >= end || /Unterminated|expected\.$/.test(String(d.messageText)) && (d.start ?? 0) >= end - 1);
  if (!atEnd) return { status: 'invalid' };
  const last = code.split('\n').pop() ?? '';
  const base = /^\s*/.exec(last)![0];
  return { status: 'incomplete', indent: /[{([]\s*$/.test(last) ? base + '  ' : base };
}
