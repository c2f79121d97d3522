import { describe, expect, test } from '@jest/globals';
import { ArgumentCloneError, ClosureError, assertCloneable, portableSource, reviveFunction } from '../../../extension/backends/portable';

describe('portableSource', () => {
  test('ships a self-contained arrow and revives it', () => {
    const src = portableSource((x: number, y = 2) => { const z = x * y; return Math.max(z, 0); }, 'mul');
    expect(reviveFunction(src)(3, 4)).toBe(12);
  });

  test('names the captured variable and the task', () => {
    const factor = 3;
    const square = (x: number) => x * factor;
    expect(() => portableSource(square, 'square')).toThrow(ClosureError);
    expect(() => portableSource(square, 'square')).toThrow("task 'square' uses 'factor' from its enclosing scope");
  });

  test('finds captures in shorthand properties and nested functions, not in property names', () => {
    const limit = 1;
    const offset = 2;
    const fn = (a: { limit: number }) => { const g = () => ({ offset }); return a.limit + g().offset; };
    expect(() => portableSource(fn, 't')).toThrow(/'offset'/);
    const ok = (a: { limit: number }) => a.limit + ({ limit: 1 }).limit;
    expect(reviveFunction(portableSource(ok, 'ok'))({ limit: 2 })).toBe(3);
    expect(limit).toBe(1);
  });

  test('accepts destructuring, locals, inner functions, globals and require', () => {
    const fn = async function f({ a, b: [c] }: { a: number; b: number[] }) {
      function inner(q: number) { return q + 1; }
      let acc = 0;
      for (const v of [a, c]) acc += inner(v);
      const os = require('node:os');
      return typeof os.cpus === 'function' ? JSON.parse(JSON.stringify(acc)) : -1;
    };
    return expect(reviveFunction(portableSource(fn, 'f'))({ a: 1, b: [2] })).resolves.toBe(5);
  });

  test('a revived function reports the file, line and column it was written at, else its task and own lines', () => {
    const src = "function boom(x) {\n  const y = x + 1;\n  throw new Error('bad ' + y);\n}";
    const frame = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).stack!.split('\n')[1];
      }
    };
    expect(frame(() => reviveFunction(src, 'boom', { file: 'cell-3.ts', line: 6, column: 20 })(1))).toBe('    at boom (cell-3.ts:9:9)');
    expect(frame(() => reviveFunction(src, 'boom')(1))).toBe('    at boom (task:boom:3:9)');
    expect(frame(() => reviveFunction('() => { throw new Error() }', 'a', { file: 'f.js', line: 0, column: 7 })())).toBe('    at f.js:1:22');
  });

  test('method shorthand is rewritten to a function', () => {
    const obj = { double(x: number) { return x * 2; } };
    expect(reviveFunction(portableSource(obj.double, 'double'))(4)).toBe(8);
  });

  test('rejects native and bound functions and non-functions', () => {
    expect(() => portableSource(Math.max, 'max')).toThrow(/native or bound/);
    expect(() => portableSource(((x: number) => x).bind(null), 'b')).toThrow(/native or bound/);
    expect(() => portableSource(42 as unknown as Function, 'n')).toThrow(/task 'n'.*expected a function/);
  });
});

describe('assertCloneable', () => {
  test('passes plain data', () => {
    expect(() => assertCloneable([1, 'a', { x: [1, 2] }, new Map([[1, 2]]), null], 't')).not.toThrow();
  });
  test('names the task and argument for a function or an uncloneable object', () => {
    expect(() => assertCloneable([1, () => 1], 'square')).toThrow(ArgumentCloneError);
    expect(() => assertCloneable([1, () => 1], 'square')).toThrow("task 'square': argument 2 is a function");
    expect(() => assertCloneable([{ f: () => 1 }], 'sq')).toThrow(/task 'sq': argument 1 cannot be sent/);
  });
});
