// A replayed signed message never runs twice, driven through jupyter_client's own Session (issue 17 item 17):
// the same bytes sent again on shell get no reply and run nothing.
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { jupyterEnv, PYTHON } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

test('a byte-identical replay of a signed execute_request is refused', () => {
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', 'replay_client.py'], { cwd: __dirname, env: jenv.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(res).toEqual({ first: 'ok', second_reply: null, runs: ['1'] });
}, 150_000);
