// The realm's drain poll (kernel/realm/drain-poll.ts): backs off while no user code runs, speeds up after a run,
// and stops 10 s after the last cell; fast while an interrupt settles.
import { afterEach, beforeEach, expect, jest, test } from '@jest/globals';
import { DrainPoll } from '../../../kernel/realm/drain-poll';

let drains: number[];
let cell = true;
let poll: DrainPoll;
beforeEach(() => {
  jest.useFakeTimers({ now: 0 });
  drains = [];
  cell = true;
  poll = new DrainPoll(() => drains.push(Date.now()), () => cell);
});
afterEach(() => jest.useRealTimers());

test('slow: 20 ms, then 40, 80 and 100 ms apart while nothing runs', () => {
  poll.every('slow');
  jest.advanceTimersByTime(500);
  const gaps = drains.map((t, i) => t - (drains[i - 1] ?? 0));
  expect(gaps.slice(0, 6)).toEqual([20, 40, 80, 100, 100, 100]);
});

test('a run of user code brings the next gap back to 20 ms', () => {
  poll.every('slow');
  jest.advanceTimersByTime(240); // drains at 20, 60, 140, 240
  poll.userRan();
  jest.advanceTimersByTime(100);
  expect(drains).toEqual([20, 60, 140, 240, 260, 280, 320]); // 20 after the run, then backing off again
});

test('without a running cell it stops 10 s after the last call; fast polls every 5 ms', () => {
  cell = false;
  poll.every('slow');
  jest.advanceTimersByTime(20_000);
  const last = drains[drains.length - 1];
  expect(last).toBeLessThanOrEqual(10_000);
  expect(jest.getTimerCount()).toBe(0);
  drains = [];
  cell = true; // an interrupt settling while a cell runs
  poll.every('fast');
  jest.advanceTimersByTime(50);
  expect(drains.length).toBe(10);
});
