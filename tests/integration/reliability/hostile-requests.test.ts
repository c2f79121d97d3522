// Issue 17 items 1 and 4: requests whose input made the kernel stop answering. A history search for
// '*a' x 25 + 'b' ran an exponential RegExp on the main thread (no reply; interrupt could not break it), and an
// is_complete_request with 20,000 nested `{` overflowed the parser's stack (no reply, RangeError in the log).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KernelClient } from '../../bench/kernel-client';
import { evalText, sleep, startKernel } from './helpers';

let k: KernelClient;
beforeAll(async () => {
  k = await startKernel();
  await evalText(k, `const cell = '${'a'.repeat(60)}'`);
});
afterAll(() => k?.close());

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what}: no reply in ${ms} ms; log tail:\n${k.stderr.slice(-800)}`)))]);
}

const timed = async <T>(p: Promise<T>): Promise<[T, number]> => {
  const t0 = Date.now();
  const v = await p;
  return [v, Date.now() - t0];
};

describe('history search', () => {
  test("pattern '*a' x 25 + 'b' is answered at once and the kernel keeps serving", async () => {
    const [r, ms] = await timed(within(10_000, k.request('history_request', { hist_access_type: 'search', pattern: '*a'.repeat(25) + 'b', output: false, raw: true }), 'history'));
    console.log(`history search '*a' x 25 + 'b': reply in ${ms} ms`);
    expect(r.reply.content.status).toBe('ok');
    expect(r.reply.content.history).toEqual([]);
    const hit = await within(10_000, k.request('history_request', { hist_access_type: 'search', pattern: '*a?a*', output: false, raw: true }), 'history');
    expect(hit.reply.content.history.length).toBeGreaterThan(0);
    expect(await evalText(k, '1 + 1')).toBe('2');
  });

  test('a 100,000-character pattern is refused with an empty history', async () => {
    const r = await within(10_000, k.request('history_request', { hist_access_type: 'search', pattern: '*a'.repeat(50_000), output: false, raw: true }), 'history');
    expect(r.reply.content.history).toEqual([]);
  });
});

describe('huge or deeply nested code in is_complete, complete and inspect', () => {
  const nested = '{'.repeat(20_000);
  const huge = 'x + '.repeat(2_000_000) + 'x';

  test('is_complete with 20,000 nested { gets a reply', async () => {
    const [r, ms] = await timed(within(20_000, k.request('is_complete_request', { code: nested }), 'is_complete'));
    console.log(`is_complete, 20,000 nested {: '${r.reply.content.status}' in ${ms} ms`);
    expect(['invalid', 'unknown', 'incomplete']).toContain(r.reply.content.status);
  });

  test('is_complete with 8 MB of code gets a reply', async () => {
    const r = await within(20_000, k.request('is_complete_request', { code: huge }), 'is_complete');
    expect(['complete', 'invalid', 'unknown', 'incomplete']).toContain(r.reply.content.status);
  });

  test.each([['nested', nested], ['huge', huge]])('complete and inspect of %s code get replies', async (_, code) => {
    const c = await within(30_000, k.request('complete_request', { code, cursor_pos: code.length }), 'complete');
    expect(c.reply.content.status).toBeDefined();
    const i = await within(30_000, k.request('inspect_request', { code, cursor_pos: code.length, detail_level: 0 }), 'inspect');
    expect(i.reply.content.status).toBeDefined();
    expect(await evalText(k, '2 + 2')).toBe('4');
  });
});
