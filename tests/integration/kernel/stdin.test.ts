// stdin: prompt(), confirm() and input() send input_request to a real jupyter_client and use its input_reply;
// without allow_stdin they fail with StdinNotImplementedError, as ipykernel's input() does; an interrupt ends
// a prompt that nobody answers, and a late reply does not answer the next one.
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { jupyterEnv, PYTHON } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

test('prompt/confirm/input through jupyter_client', () => {
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', 'stdin_client.py'], { cwd: __dirname, env: jenv.env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) console.log(r.stdout, r.stderr);
  expect(r.status).toBe(0);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
  expect(res.prompt).toMatchObject({ status: 'ok', asked: [{ prompt: 'Your name?', password: false }], result: ["'hello flow'"] });
  expect(res.prompt.stdout).toBe('before\n'); // printed before the prompt, and sent before it
  expect(res.default.result).toEqual(["'8'"]);
  expect(res.confirm).toMatchObject({ asked: [{ prompt: 'Go? [y/N] ' }, { prompt: 'Again? [y/N] ' }], result: ['[ true, false ]'] });
  expect(res.password).toMatchObject({ asked: [{ prompt: 'Token: ', password: true }], result: ['6'] });
  expect(res['no-stdin']).toMatchObject({ status: 'error', ename: 'StdinNotImplementedError', asked: [] });
  expect(res.after.result).toEqual(["'flow'"]);
  expect(res.interrupted).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt', asked: [{ prompt: 'never answered' }] });
  expect(res.fresh).toMatchObject({ status: 'ok', result: ["'second'"] });
});
