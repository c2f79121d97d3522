// jupyter_kernel_test (the Jupyter project's conformance suite) against the installed flowbook kernelspec.
import { afterAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { jupyterEnv, PYTHON } from './helpers';

const jenv = jupyterEnv();
afterAll(() => jenv.cleanup());

test('jupyter_kernel_test: every sample attribute passes, nothing skipped', () => {
  const r = spawnSync(PYTHON, ['-Xfrozen_modules=off', '-m', 'unittest', '-v', 'kernel_test'], {
    cwd: __dirname,
    env: { ...jenv.env, FLOWBOOK_LOG: 'off' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) console.log(out);
  expect(r.status).toBe(0);
  expect(out).toMatch(/Ran 12 tests/);
  // Every test and subtest must run: none of the suite's optional parts is skipped for flowbook.
  expect(out).not.toMatch(/skipped/i);
  expect(out).toMatch(/\nOK\s*$/m);
  // The kernel must shut down cleanly (no native abort on exit).
  expect(out).not.toMatch(/terminate called|Napi::Error|Aborted/);
});
