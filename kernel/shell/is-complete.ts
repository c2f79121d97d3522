// is_complete_request from the TypeScript parser: errors at the very end of the input mean "keep typing".
import ts from 'typescript';
import { parseCell } from '../typescript/transpile';

export function isComplete(code: string): { status: string; indent?: string } {
  if (!code.trim()) return { status: 'complete' };
  const sf = parseCell(code);
  const diags = ((sf as any).parseDiagnostics ?? []) as ts.Diagnostic[];
  if (!diags.length) return { status: 'complete' };
  const end = code.trimEnd().length;
  const atEnd = diags.every((d) => (d.start ?? 0) >= end || /Unterminated|expected\.$/.test(String(d.messageText)) && (d.start ?? 0) >= end - 1);
  if (!atEnd) return { status: 'invalid' };
  const last = code.split('\n').pop() ?? '';
  const base = /^\s*/.exec(last)![0];
  return { status: 'incomplete', indent: /[{([]\s*$/.test(last) ? base + '  ' : base };
}
