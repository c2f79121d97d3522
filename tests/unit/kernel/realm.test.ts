// The execution core without a kernel: names, redeclaration, speed-relevant scoping, awaits, epochs.
import { describe, expect, test } from '@jest/globals';
import { compileCell } from '../../../kernel/typescript/transpile';
import { KeyboardInterrupt, Runtime } from '../../../kernel/realm/runtime';

function runtime() {
  const rt = new Runtime<object>();
  const run = async (code: string): Promise<unknown> => {
    const c = compileCell(code);
    rt.declare(c.declared);
    const r = (await rt.run(rt.compile(c.js, 'cell.ts'), {})) as unknown[] | undefined;
    return r?.[0];
  };
  return { rt, run };
}

describe('the user realm', () => {
  test('let/const/var/function/class persist and may be redeclared', async () => {
    const { run } = runtime();
    await run('let a = 1\nconst b = 2\nvar c = 3\nfunction f() { return a + b + c }\nclass K { v = 4 }');
    expect(await run('f() + new K().v')).toBe(10);
    await run('let a = 10\nconst b = 20');
    expect(await run('f()')).toBe(33);
    await run('var c;'); // `var x;` keeps the value, as in a script
    expect(await run('c')).toBe(3);
  });

  test('top-level declarations are script-scope bindings, not properties of the global object', async () => {
    const { rt, run } = runtime();
    await run('let counter = 0');
    expect(Object.getOwnPropertyDescriptor(rt.realm.global, 'counter')).toBeUndefined();
    expect(rt.scope.counter).toBe(0); // the magics' view still sees it
    rt.scope.counter = 5;
    expect(await run('counter')).toBe(5);
    expect(Object.keys(rt.scope)).toContain('counter');
  });

  test.each(['process', 'performance', 'Buffer', 'setTimeout', 'setImmediate', 'queueMicrotask', 'Promise',
    'console', 'require', 'module', 'display', 'flow', 'plot'])('a cell may declare %s; the host keeps its own', async (name) => {
    const hostValue = (globalThis as any)[name];
    const { run } = runtime();
    await run(`function ${name}(x: any) { return 'mine'; }`);
    expect(await run(`${name}(1)`)).toBe('mine');
    expect((globalThis as any)[name]).toBe(hostValue);
    expect(await run('await new Promise((r) => globalThis.setTimeout(r, 5)); import * as path from "node:path"; path.join("a", "b")')).toBe('a/b');
  });

  test('assigning a host global (globalThis.x, process = …) changes the realm only', async () => {
    const { run } = runtime();
    const host = process;
    await run('globalThis.process = 1; performance = 2; globalThis.x = 3');
    expect(process).toBe(host);
    expect(typeof performance.now).toBe('function');
    expect(await run('[process, performance, x].join()')).toBe('1,2,3');
  });

  test('await of a host promise and of a thenable resumes the cell', async () => {
    const { rt, run } = runtime();
    rt.realm.global.hostSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    rt.realm.global.thenable = { then: (ok: (v: number) => void) => setTimeout(() => ok(7), 5) };
    expect(await run('await hostSleep(5); (await thenable) + 1')).toBe(8);
    expect(await run('let n = 0; for await (const v of (async function* () { yield 1; yield 2 })()) n += v; n')).toBe(3);
  });

  test('an interrupt for a cell that has ended is ignored; one for the running cell ends it', async () => {
    const { rt, run } = runtime();
    rt.beginCell();
    const pending = run('await new Promise(() => {})');
    await new Promise((r) => setTimeout(r, 10));
    expect(rt.interruptRunning('test', 12345)).toBe(false); // stale epoch
    expect(rt.isRunning()).toBe(true);
    expect(rt.interruptRunning('test')).toBe(true);
    await expect(pending).rejects.toBeInstanceOf(KeyboardInterrupt);
    rt.endCell();
  });

  test('an interrupted cell never resumes after its await', async () => {
    const { rt, run } = runtime();
    rt.realm.global.hits = [];
    rt.realm.global.hostSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    rt.beginCell();
    const pending = run('await hostSleep(30); hits.push("resumed")');
    rt.interruptRunning('test');
    await expect(pending).rejects.toBeInstanceOf(KeyboardInterrupt);
    rt.endCell();
    await new Promise((r) => setTimeout(r, 60));
    expect(rt.realm.global.hits).toEqual([]);
  });
});
