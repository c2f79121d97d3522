// stdin: prompt(), confirm() and input() send input_request to a real jupyter_client and use its input_reply;
// without allow_stdin they fail with StdinNotImplementedError, as ipykernel's input() does; an interrupt ends
// a prompt that nobody answers, and a late reply does not answer the next one.
import { afterAll, expect, test } from '@jest/globals';
import { jupyterEnv, pythonClient } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

test('prompt/confirm/input through jupyter_client', () => {
  const res = pythonClient(jenv, 'stdin_client.py');
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
