// A replayed signed message never runs twice, driven through jupyter_client's own Session (issue 17 item 17):
// the same bytes sent again on shell get no reply and run nothing.
import { afterAll, expect, test } from '@jest/globals';
import { jupyterEnv, pythonClient } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

test('a byte-identical replay of a signed execute_request is refused', () => {
  const res = pythonClient(jenv, 'replay_client.py');
  expect(res).toEqual({ first: 'ok', second_reply: null, runs: ['1'] });
}, 150_000);
