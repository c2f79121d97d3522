// The closure check seen from a realm like the kernel's (a vm context whose script-scope names the check can
// read): realm-dependent globals are caught, and the advice fits what each captured name holds.
import { describe, expect, test } from '@jest/globals';
import * as vm from 'node:vm';
import { ClosureError, portableSource } from '../../../extension/backends/portable';

const realm = vm.createContext({ require });
const fns = vm.runInContext(`
const URL = 'http://x';
const fs = require('node:fs');
const { join } = require('node:path');
const helper = (x) => x;
class Shape {}
const data = [1];
globalThis.show = () => {};
function outer() { const local = 1; return () => local; }
({
  url: () => new URL('/a'), fs: () => fs.existsSync('/'), join: () => join('a'), helper: () => helper(1),
  shape: () => new Shape(), data: () => data, show: () => show(1), local: outer(), two: () => [fs, data],
  fine: (u) => [new Array(2), Math.max(1, 2), JSON.stringify(u)],
})`, realm);

const message = (fn: Function): string => {
  try {
    portableSource(fn, 't');
  } catch (e) {
    expect(e).toBeInstanceOf(ClosureError);
    return (e as Error).message;
  }
  throw new Error('no ClosureError');
};

describe('closure check in a notebook-like realm', () => {
  test("a cell's const that hides a global (URL) is a capture, not the worker's global", () => {
    expect(message(fns.url)).toBe("task 't' uses 'URL' from its enclosing scope; pass 'URL' as an argument (it hides the global URL, which a worker would use instead)");
  });

  test('a module says require() inside the task; a member of one names it', () => {
    expect(message(fns.fs)).toMatch(/'fs'.*; call require\('fs'\) inside the task instead of 'fs'$/);
    expect(message(fns.join)).toMatch(/; call require\('path'\)\.join inside the task instead of 'join'$/);
  });

  test('a function says make it a task, a class define it inside, data pass it as an argument', () => {
    expect(message(fns.helper)).toMatch(/; make 'helper' a task of its own, or define it inside this one$/);
    expect(message(fns.shape)).toMatch(/; define class 'Shape' inside the task$/);
    expect(message(fns.data)).toMatch(/; pass 'data' as an argument$/);
    expect(message(fns.two)).toMatch(/uses 'fs', 'data' .*; call require\('fs'\) inside the task instead of 'fs'; pass 'data' as an argument$/);
  });

  test("a global of the notebook's own (not the worker's) says so", () => {
    expect(message(fns.show)).toMatch(/; call 'show' outside the task \('show' is a global of the notebook, which a worker does not have\)$/);
  });

  test('a name that cannot be read from outside (a closure local) gets the advice for every kind', () => {
    expect(message(fns.local)).toMatch(/'local'.*; require\(\) a module inside the task, pass data as an argument, and make a function a task of its own$/);
  });

  test("the realm's own intrinsics (Array, Math, JSON) are not captures", () => {
    expect(() => portableSource(fns.fine, 'fine')).not.toThrow();
  });
});
