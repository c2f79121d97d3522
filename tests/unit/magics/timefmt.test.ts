import { describe, expect, test } from '@jest/globals';
import { formatG, formatTime, TimeitResult } from '../../../extension/magics/timefmt';

describe("Python's %g", () => {
  test.each([
    [1.2, 3, '1.2'],
    [1.0, 3, '1'],
    [123.456, 3, '123'],
    [999.7, 3, '1e+03'],
    [0.000012345, 3, '1.23e-05'],
    [0.0012345, 3, '0.00123'],
    [45.6789, 4, '45.68'],
    [0, 3, '0'],
  ])('%p at precision %p → %p', (value, precision, expected) => {
    expect(formatG(value as number, precision as number)).toBe(expected);
  });
});

describe('_format_time', () => {
  test.each([
    [0.0012, '1.2 ms'],
    [0.0034, '3.4 ms'],
    [1.23e-6, '1.23 \u00b5s'],
    [45.6e-9, '45.6 ns'],
    [0, '0 ns'],
    [2.5, '2.5 s'],
    [12.345, '12.3 s'],
    [61.5, '1min 1s'],
    [3725, '1h 2min 5s'],
    [90061, '1d 1h 1min 1s'],
    [120, '2min'],
  ])('%p s → %p', (s, expected) => {
    expect(formatTime(s as number)).toBe(expected);
  });
});

describe('TimeitResult', () => {
  test('mean ± population std. dev. per loop, thousands separators and plurals like IPython', () => {
    const r = new TimeitResult(100000, 7, 1e-6, 1.4e-6, [0.1, 0.12, 0.14, 0.1, 0.12, 0.14, 0.12], 0);
    expect(r.timings[0]).toBeCloseTo(1e-6, 12);
    expect(r.average).toBeCloseTo(1.2e-6, 12);
    expect(String(r)).toBe('1.2 \u00b5s \u00b1 151 ns per loop (mean \u00b1 std. dev. of 7 runs, 100,000 loops each)');
    const one = new TimeitResult(1, 1, 0.5, 0.5, [0.5], 0);
    expect(String(one)).toBe('500 ms \u00b1 0 ns per loop (mean \u00b1 std. dev. of 1 run, 1 loop each)');
  });
});
