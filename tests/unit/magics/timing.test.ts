import { describe, expect, test } from '@jest/globals';
import { TimeitResult } from '../../../extension/magics';
import { harness } from './helpers';

const TIME = /^CPU times: user [\d.e+]+ (ns|\u00b5s|ms|s), sys: [\d.e+]+ (ns|\u00b5s|ms|s), total: [\d.e+]+ (ns|\u00b5s|ms|s)\nWall time: [\d.e+]+ (ns|\u00b5s|ms|s)\n$/;
const TIMEIT = /^[\d.e+]+ (ns|\u00b5s|ms|s) \u00b1 [\d.e+]+ (ns|\u00b5s|ms|s) per loop \(mean \u00b1 std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)\n$/;

describe('%time', () => {
  test('prints IPython CPU/Wall lines and returns the value', async () => {
    const h = harness({ calls: 0 });
    const v = await h.cell('%time (calls++, 6 * 7)');
    expect(v).toBe(42);
    expect(h.scope.calls).toBe(1);
    expect(h.sink.out).toMatch(TIME);
  });

  test('a declaration stays visible after the line; statements are timed as a block', async () => {
    const h = harness({ log: [] as number[] });
    const v = await h.cell('%time const r = await Promise.resolve(5)\n%time for (let i = 0; i < 3; i++) log.push(i)\nr * 2');
    expect(v).toBe(10);
    expect(h.scope.log).toEqual([0, 1, 2]);
    expect(h.sink.out.match(/Wall time/g)).toHaveLength(2);
  });

  test('%%time runs the cell body and prints the times even when it throws', async () => {
    const h = harness();
    await expect(h.cell('%%time\nconst a = 20\na + 1')).resolves.toBe(21);
    await expect(h.cell('%%time\nthrow new Error("boom")')).rejects.toThrow('boom');
    expect(h.sink.out.match(/Wall time/g)).toHaveLength(2);
  });
});

describe('%timeit', () => {
  test('-n/-r run exactly N×R loops and print the IPython summary', async () => {
    const h = harness({ calls: 0 });
    await h.cell('%timeit -n 3 -r 2 calls++');
    expect(h.scope.calls).toBe(6);
    const m = TIMEIT.exec(h.sink.out.split('\n').filter(Boolean).pop()! + '\n');
    expect(m).not.toBeNull();
    expect(m![3]).toBe('2');
    expect(m![4]).toBe('3');
  });

  test('-o returns a TimeitResult, -q prints nothing', async () => {
    const h = harness({ calls: 0 });
    const r = (await h.cell('%timeit -q -o -n 4 -r 3 calls++')) as TimeitResult;
    expect(r).toBeInstanceOf(TimeitResult);
    expect(r.loops).toBe(4);
    expect(r.repeat).toBe(3);
    expect(r.allRuns).toHaveLength(3);
    expect(r.best).toBeLessThanOrEqual(r.worst);
    expect(h.scope.calls).toBe(12);
    expect(h.sink.out).toBe('');
  });

  test('auto-ranges the loop count (1, 2, 5 × 10^k) with 7 runs by default', async () => {
    const h = harness();
    const r = (await h.cell('%timeit -o Math.sqrt(2)')) as TimeitResult;
    expect(r.repeat).toBe(7);
    expect(String(r.loops)).toMatch(/^[125]0*$/);
    expect(r.loops).toBeGreaterThan(1);
    expect(h.sink.out).toMatch(/of 7 runs, [\d,]+ loops each\)\n$/);
  });

  test('%%timeit: setup line runs once, the body is timed', async () => {
    const h = harness({ n: 0 });
    const r = (await h.cell('%%timeit -o -n 2 -r 2 n = 100\nn++')) as TimeitResult;
    expect(h.scope.n).toBe(104);
    expect(r.loops).toBe(2);
  });

  test('interrupt stops the loops', async () => {
    const h = harness({ calls: 0 });
    h.scope.stop = () => h.abort.abort();
    await expect(h.cell('%timeit -n 1000 -r 7 (calls++ === 10 && stop())')).rejects.toThrow('interrupted');
    expect(h.scope.calls).toBe(11);
  });
});
