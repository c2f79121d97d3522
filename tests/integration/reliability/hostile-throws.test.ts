// Issue 17 items 2 and 7: whatever a cell or its timer throws, the kernel reports it and survives. Before the
// fix, a throwing `name` getter or a thrown Proxy left the cell with `idle` and no execute_reply, and a timer
// throwing Object.create(null) aborted the kernel ("Cannot convert object to primitive value", then Napi::Error).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, ofType, sleep, startKernel, waitFor } from './helpers';

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, 'const keep = 42');
});
afterAll(() => k?.close());

/** Rejects after `ms` instead of waiting for jest's timeout, so a hang fails with a clear message. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: no reply in ${ms} ms; log tail:\n${k.stderr.slice(-800)}`)))]);
}

/** Expressions that evaluate to hostile thrown values. */
const HOSTILE: Record<string, string> = {
  'an Error whose name getter throws': "(() => { const e = new Error('x'); Object.defineProperty(e, 'name', { get() { throw 1 } }); return e })()",
  'an Error whose message getter throws': "(() => { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw 1 } }); return e })()",
  'a Proxy whose every trap throws': 'new Proxy({}, { get() { throw 1 }, getPrototypeOf() { throw 1 }, ownKeys() { throw 1 }, has() { throw 1 } })',
  'a revoked Proxy': '(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy })()',
  'a null-prototype object': 'Object.create(null)',
  'an object whose toString throws': '({ toString() { throw 1 } })',
  'an object whose Symbol.toPrimitive throws': '({ [Symbol.toPrimitive]() { throw 1 } })',
  'a symbol': "Symbol('s')",
};

describe('a cell that throws a hostile value gets an execute_reply with status error', () => {
  test.each(Object.entries(HOSTILE))('%s', async (_, expr) => {
    const r = await within(20_000, k.execute(`throw ${expr}`), 'execute');
    expect(r.reply.content.status).toBe('error');
    expect(typeof r.reply.content.ename).toBe('string');
    expect(ofType(r.iopub, 'error')).toHaveLength(1);
    expect(await evalText(k, 'keep')).toBe('42');
  });
});

describe('a timer that throws a hostile value reports an error on its cell; the kernel survives', () => {
  test.each(Object.entries(HOSTILE))('%s', async (_, expr) => {
    const a = await k.execute(`setTimeout(() => { throw ${expr} }, 50); 'set'`);
    expect(a.reply.content.status).toBe('ok');
    await waitFor(() => ofType(k.byParent.get(a.id) ?? [], 'error').length > 0 || !k.alive(), 'the error output', 10_000);
    expect(k.alive()).toBe(true);
    expect(ofType(k.byParent.get(a.id)!, 'error')).toHaveLength(1);
    expect(await within(20_000, evalText(k, 'keep'), 'next cell')).toBe('42');
  });

  test('an unhandled rejection with a hostile reason is reported too', async () => {
    const a = await k.execute(`setTimeout(() => { Promise.reject(${HOSTILE['a Proxy whose every trap throws']}) }, 50); 'set'`);
    await waitFor(() => ofType(k.byParent.get(a.id) ?? [], 'error').length > 0 || !k.alive(), 'the error output', 10_000);
    expect(k.alive()).toBe(true);
    expect(await evalText(k, 'keep')).toBe('42');
  });
});
