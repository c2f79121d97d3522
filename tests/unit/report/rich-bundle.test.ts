// Plot bundles must render when displayed or returned from a cell, and stay plain JSON.
import { expect, test } from '@jest/globals';
import { MIMEBUNDLE } from '../../../extension/display';
import { plot } from '../../../extension/report/plot';

test('plot bundles carry the display hook without changing their JSON', async () => {
  const b = await plot.vegalite({ mark: 'bar', data: { values: [{ a: 1 }] }, encoding: { y: { field: 'a', type: 'quantitative' } } });
  const hook = (b as unknown as Record<symbol, () => unknown>)[MIMEBUNDLE];
  expect(typeof hook).toBe('function');
  expect(hook()).toBe(b);
  expect(Object.keys(JSON.parse(JSON.stringify(b))).sort()).toEqual(['application/vnd.vegalite.v5+json', 'image/png', 'image/svg+xml', 'text/plain']);
  const table = plot.summaryTable([{ backend: 'async', wall: 2 }, { backend: 'threads', wall: 1 }]);
  expect(typeof (table as unknown as Record<symbol, unknown>)[MIMEBUNDLE]).toBe('function');
});
