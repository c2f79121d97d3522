// Cell transpile and wire signing, without starting a kernel.
import { describe, expect, test } from '@jest/globals';
import { compileCell, CellSyntaxError } from '../../../kernel/typescript/transpile';
import { Runtime } from '../../../kernel/realm/runtime';
import { decode, encode, makeHeader, Signer, RejectedMessageError } from '../../../kernel/protocol/wire';
import { isComplete } from '../../../kernel/shell/is-complete';

async function run(rt: Runtime<object>, code: string): Promise<unknown> {
  const c = compileCell(code);
  rt.declare(c.declared);
  const r = (await rt.call(rt.compile(c.js, 'cell.ts'))) as unknown[] | undefined;
  return r?.[0];
}

describe('compileCell', () => {
  test('declarations persist across cells and may be redeclared; last expression is the value', async () => {
    const ctx = new Runtime<object>();
    expect(await run(ctx, 'const a: number = 2\nfunction sq(x: number) { return x * x }\nclass K { v = 3 }')).toBeUndefined();
    expect(await run(ctx, 'const a = 5\nsq(a) + new K().v')).toBe(28);
    expect(await run(ctx, 'import { join } from "node:path"\nconst { x, y } = { x: 1, y: 2 }\njoin("a", "b") + x + y')).toBe('a/b12');
    expect(await run(ctx, 'enum E { A = 7 }\nawait Promise.resolve(E.A)')).toBe(7);
  });

  test('syntax errors carry line and column', () => {
    expect(() => compileCell('let a = 1\nlet b = ;')).toThrow(CellSyntaxError);
    try {
      compileCell('let a = 1\nlet b = ;');
    } catch (e) {
      expect(e).toMatchObject({ line: 2, column: 9 });
    }
  });

  test('TypeScript cells map generated lines back to cell lines', () => {
    const c = compileCell('interface I {\n  a: number\n}\nconst v: I = { a: 1 }\nthrow new Error(String(v.a))');
    const throwLine = c.js.split('\n').findIndex((l) => l.includes('throw'));
    expect(c.lines[throwLine]).toBe(4);
  });
});

test('is_complete', () => {
  expect(isComplete('1 + 1').status).toBe('complete');
  expect(isComplete('function f() {')).toEqual({ status: 'incomplete', indent: '  ' });
  expect(isComplete('1 +* 2').status).toBe('invalid');
});

describe('wire', () => {
  const signer = new Signer('secret');
  const frames = () => encode(signer, [Buffer.from('id')], makeHeader('execute_request', 's'), {}, { code: '1' });

  test('round trip with a valid signature', () => {
    const m = decode(frames(), signer);
    expect(m.header.msg_type).toBe('execute_request');
    expect(m.identities.map(String)).toEqual(['id']);
    expect(m.content).toEqual({ code: '1' });
  });

  test('a tampered body or a wrong key is rejected', () => {
    const f = frames();
    f[6] = Buffer.from('{"code":"2"}');
    expect(() => decode(f, signer)).toThrow(RejectedMessageError);
    expect(() => decode(frames(), new Signer('other'))).toThrow(/bad signature/);
  });

  test('an empty key means unsigned', () => {
    const none = new Signer('');
    const f = encode(none, [], makeHeader('kernel_info_request', 's'), {}, {});
    expect(f[1].toString()).toBe('');
    expect(decode(f, none).header.msg_type).toBe('kernel_info_request');
  });
});
