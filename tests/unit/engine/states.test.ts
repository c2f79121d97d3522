// The transition table is the state machine: the switch the hot path uses must say exactly what it says.
import { expect, test } from '@jest/globals';
import { canTransition, TRANSITIONS } from '../../../extension/engine/states';
import type { TaskState } from '../../../extension/engine/events';

test('canTransition agrees with TRANSITIONS for every pair of states', () => {
  const states = Object.keys(TRANSITIONS) as TaskState[];
  expect(states.sort()).toEqual(['CANCELLED', 'DONE', 'FAILED', 'PENDING', 'RUNNING']);
  for (const from of states) for (const to of states) expect([from, to, canTransition(from, to)]).toEqual([from, to, TRANSITIONS[from].includes(to)]);
});
