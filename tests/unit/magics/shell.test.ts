import { afterEach, describe, expect, test } from '@jest/globals';
import { ShellError } from '../../../extension/magics';
import { harness } from './helpers';

describe('!cmd and %%bash', () => {
  test('!cmd streams stdout and stderr, with $var/{expr} expansion from the cell scope', async () => {
    const h = harness({ who: 'world' });
    await h.cell('const n = 2\n!echo hello $who {n * 21}; echo oops >&2');
    expect(h.sink.out).toBe('hello world 42\n');
    expect(h.sink.err).toBe('oops\n');
  });

  test('unknown $names are left to the shell', async () => {
    const h = harness();
    process.env.FLOWBOOK_TEST_VAR = 'from-env';
    await h.cell('!echo $FLOWBOOK_TEST_VAR ${FLOWBOOK_TEST_VAR}');
    expect(h.sink.out).toBe('from-env from-env\n');
  });

  test('output arrives while the command still runs', async () => {
    const h = harness();
    const seen: string[] = [];
    const orig = h.sink.stdout.bind(h.sink);
    h.sink.stdout = (t) => (seen.push(t), orig(t));
    // The script waits for a file that only this test creates after seeing the first line: proves streaming.
    const flag = `/tmp/flowbook-stream-${process.pid}`;
    const done = h.cell(`%%bash\necho first\nwhile [ ! -e ${flag} ]; do sleep 0.05; done\necho second\nrm -f ${flag}`);
    while (!seen.join('').includes('first')) await new Promise((r) => setTimeout(r, 20));
    expect(seen.join('')).not.toContain('second');
    require('node:fs').writeFileSync(flag, '');
    await done;
    expect(h.sink.out).toBe('first\nsecond\n');
  });

  test('nonzero exit fails the cell with the exit code', async () => {
    const h = harness();
    const err = (await h.cell('%%bash\necho before\nexit 3').catch((e) => e)) as ShellError;
    expect(err).toBeInstanceOf(ShellError);
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/non-zero exit status 3/);
    expect(h.sink.out).toBe('before\n');
    await expect(h.cell('!false')).rejects.toThrow(/exit status 1/);
  });

  test('interrupt kills the whole process group', async () => {
    const h = harness();
    const orig = h.sink.stdout.bind(h.sink);
    h.sink.stdout = (t) => {
      orig(t);
      if (t.includes('started')) h.abort.abort();
    };
    const err = (await h.cell('%%bash\necho started\nsleep 30 | cat\necho never').catch((e) => e)) as ShellError;
    expect(err).toBeInstanceOf(ShellError);
    expect(err.signal).not.toBeNull();
    expect(h.sink.out).toBe('started\n');
  });
});

describe('%env', () => {
  afterEach(() => {
    delete process.env.FB_A;
    delete process.env.FB_B;
  });

  test('set with = or a space, get, list', async () => {
    const h = harness({ x: 7 });
    await h.cell('%env FB_A=one two');
    await h.cell('%env FB_B $x');
    expect(process.env.FB_A).toBe('one two');
    expect(process.env.FB_B).toBe('7');
    expect(h.sink.out).toBe('env: FB_A=one two\nenv: FB_B=7\n');
    expect(await h.cell('%env FB_A')).toBe('one two');
    expect(await h.cell('const all = %env\nall.FB_B')).toBe('7');
    await expect(h.cell('%env FB_NOT_SET_ANYWHERE')).rejects.toThrow(/Environment does not have key/);
  });

  test('children see the new value', async () => {
    const h = harness();
    await h.cell('%env FB_A=seen\n!echo $FB_A');
    expect(h.sink.out).toBe('env: FB_A=seen\nseen\n');
  });
});
