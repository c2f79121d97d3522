// The TypeScript lib (es2023 + esnext.disposable) as one file. Each cell's check builds a new program, and a new
// program costs per file (snapshot, version, document registry, reuse check): with the lib's 62 files among the
// notebook's 160, a trivial cell's new program took ~3 ms of its ~3.5 ms check (load 2.5). The lib files are
// scripts whose only links are `/// <reference lib>` lines, so they join in dependency order, as the single
// lib.d.ts of TypeScript 1.x did.
import * as path from 'node:path';
import ts from 'typescript';

export const LIB_FILE = path.join(process.cwd(), '__flowbook_lib.d.ts');

const REFERENCE_LIB = /^\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>\s*$/gm;
const NO_DEFAULT_LIB = /^\/\/\/\s*<reference\s+no-default-lib="true"\s*\/>\s*$/gm;

/** The text of `libs` (e.g. 'es2023') and everything they reference, each file once, dependencies first. */
export function libText(libs: readonly string[]): string {
  const dir = path.dirname(ts.getDefaultLibFilePath({}));
  const seen = new Set<string>();
  const parts = ['/// <reference no-default-lib="true"/>'];
  const add = (name: string): void => {
    const file = `lib.${name.toLowerCase()}.d.ts`;
    if (seen.has(file)) return;
    seen.add(file);
    const text = ts.sys.readFile(path.join(dir, file));
    if (text === undefined) throw new Error(`TypeScript lib file ${file} not found in ${dir}`);
    for (const m of text.matchAll(REFERENCE_LIB)) add(m[1]);
    parts.push(text.replace(REFERENCE_LIB, '').replace(NO_DEFAULT_LIB, ''));
  };
  for (const lib of libs) add(lib);
  return parts.join('\n');
}
