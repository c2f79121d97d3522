// When a pilot asks for its replacement and stops taking tasks (extension/backends/slurm/pool.ts).
import { expect, test } from '@jest/globals';
import { parseDuration, walltimePlan } from '../../../extension/backends/slurm/pool';

test("SLURM's durations, in ms", () => {
  expect(parseDuration('01:00')).toBe(60_000);
  expect(parseDuration('1:02:03')).toBe(3_723_000);
  expect(parseDuration('2-00:00:01')).toBe(172_801_000);
  expect(parseDuration('UNLIMITED')).toBe(Infinity);
  expect(parseDuration('soon')).toBeUndefined();
});

test('replacement 2 min and drain 1 min before the end, at most half and a quarter of the limit', () => {
  expect(walltimePlan(3_600_000, 3_600_000)).toEqual({ replaceIn: 3_480_000, drainIn: 3_540_000 });
  expect(walltimePlan(60_000, 60_000)).toEqual({ replaceIn: 30_000, drainIn: 45_000 });
  expect(walltimePlan(10_000, 60_000)).toEqual({ replaceIn: 0, drainIn: 0 }); // already late: now
});

test('a limit further off than a timer can wait is planned later, never at once', () => {
  // 365 days less 61 s, as squeue once reported: setTimeout would have fired after 1 ms.
  expect(walltimePlan(31_535_939_000, 31_536_000_000)).toBeUndefined();
  expect(walltimePlan(2 ** 31 - 1 + 60_000)).toEqual({ replaceIn: 2 ** 31 - 1 - 60_000, drainIn: 2 ** 31 - 1 });
});
