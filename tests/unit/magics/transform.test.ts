import { describe, expect, test } from '@jest/globals';
import { lsmagic, who, writefile, html } from '../../../extension/magics/basic';
import { Registry, type MagicDef } from '../../../extension/magics/registry';
import { bash, env } from '../../../extension/magics/shell';
import { time, timeitMagic } from '../../../extension/magics/timing';
import { transform } from '../../../extension/magics/transform';
import { UsageError } from '../../../extension/magics/types';

const flowStub: MagicDef = {
  name: 'flow',
  help: '',
  cellArgs: { max: 0, options: [{ name: 'backend', type: 'string' }, { name: 'no-live', type: 'boolean' }] },
  cell: async () => undefined,
};
const registry = new Registry().add(lsmagic, who, writefile, html, time, timeitMagic, bash, env, flowStub);
const tr = (code: string) => transform(code, registry);

describe('transform: code without magics', () => {
  test.each([
    'const a = 7 % 3;\nconsole.log(a % 2)',
    'const x = a\n  % b',
    'if (a !== b) {}\nconst c = !d',
    'x = y\n!== z',
    '(!ready && go())',
    'const s = `\n%time foo()\n!ls\n`;',
    '/* comment\n%who\n!rm -rf /\n*/',
    'const t = `a ${`b\n%who`} c\n%env`;',
    "const r = /`/; // a regex with a backtick\nconst u = 'it`s';",
    // a division that continues the previous line is not a regex (it used to swallow the backtick)
    'const total = 10\n  / 2; const s = `\n!echo hi\n%who\n`;',
    'const ratio = width\n/ height / 2; const q = `\n!ls\n`;',
    "const m = input.trim()\n  .split(',')\n  / 1; const t = `\n%env\n`;",
    '',
  ])('%j is unchanged', (code) => {
    expect(tr(code)).toBe(code);
  });

  test('a magic after a closed template literal is still rewritten', () => {
    const out = tr('const s = `a\nb`;\n%who');
    expect(out.split('\n')[2]).toBe('await __flowbook_magics.line("who", ``);');
  });
});

describe('transform: line magics and shell lines', () => {
  test('line magic with expansion keeps indentation and line count', () => {
    const out = tr('for (const n of [1]) {\n    %env A=$n-{n + 1}\n}');
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      '    await __flowbook_magics.line("env", `A=${__flowbook_magics.expand(() => (n), "$n")}-${__flowbook_magics.expand(() => (n + 1), "{n + 1}")}`);',
    );
  });

  test('$$, {{ }} and shell ${VAR} survive as literals', () => {
    const out = tr('!echo $$ {{x}} ${HOME} {1..3}');
    expect(out).toContain('await __flowbook_magics.shell(`echo \\$ {x} \\$${__flowbook_magics.expand(() => (HOME), "{HOME}")} {1..3}`);');
  });

  test('!cmd becomes an awaited shell call; backticks are escaped', () => {
    expect(tr('  !ls -la `pwd`')).toBe('  await __flowbook_magics.shell(`ls -la \\`pwd\\``);');
  });

  test('assignment from a line magic', () => {
    expect(tr('const home = %env HOME')).toBe('const home = await __flowbook_magics.line("env", `HOME`);');
  });

  test('%time with code that does not parse is a SyntaxError, and nothing runs', () => {
    expect(() => tr('%time stmt(); )')).toThrow(expect.objectContaining({ name: 'SyntaxError', message: expect.stringMatching(/Declaration or statement expected.*column 9/) }));
    expect(() => tr('%timeit -n1 f(')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => tr('x = 1\n%time const = 3')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
  });

  test('%time with an expression, statements and a declaration', () => {
    expect(tr('%time fib(20)')).toBe('await __flowbook_magics.line("time", "fib(20)", () => (fib(20)));');
    expect(tr('%time for (let i = 0; i < 3; i++) f(i) // loop')).toBe(
      'await __flowbook_magics.line("time", "for (let i = 0; i < 3; i++) f(i) // loop", () => { for (let i = 0; i < 3; i++) f(i) });',
    );
    expect(tr('%time const r: number = await work()')).toBe(
      'const r: number = await __flowbook_magics.line("time", "const r: number = await work()", async () => (await work()));',
    );
  });

  test('%timeit options are validated and passed raw, the code becomes a thunk', () => {
    expect(tr('%timeit -n 10 -r 3 xs.map((x) => x * 2)')).toBe(
      'await __flowbook_magics.line("timeit", "-n 10 -r 3 xs.map((x) => x * 2)", () => (xs.map((x) => x * 2)));',
    );
  });

  test('time args are not expanded', () => {
    expect(tr('%time f({a: 1})')).toContain('() => (f({a: 1}))');
    expect(tr('%time await f()')).toContain('async () => (await f())');
  });
});

describe('transform: cell magics', () => {
  test('whole cell becomes one awaited call returning the value', () => {
    const out = tr('\n%%flow --backend=threads:2\nconst a = t1();\nawait a');
    expect(out).toBe('await __flowbook_magics.cell("flow", `--backend=threads:2`, "const a = t1();\\nawait a")');
  });

  test('cell args are expanded, the body is not', () => {
    const out = tr('%%writefile {name}.txt\nhello {name}');
    expect(out).toBe(
      'await __flowbook_magics.cell("writefile", `${__flowbook_magics.expand(() => (name), "{name}")}.txt`, "hello {name}")',
    );
  });

  test('CRLF cells work', () => {
    expect(tr('%%html\r\n<b>x</b>\r\n')).toBe('await __flowbook_magics.cell("html", ``, "<b>x</b>\\n")');
    expect(tr('a = 1\r\n%who\r\n')).toBe('a = 1\r\nawait __flowbook_magics.line("who", ``);\n');
  });

  test('%%timeit setup line is passed verbatim', () => {
    expect(tr('%%timeit -n 2 const xs = {a: 1}\nf(xs)')).toBe(
      'await __flowbook_magics.cell("timeit", "-n 2 const xs = {a: 1}", "f(xs)")',
    );
  });
});

describe('transform: usage errors (cell not run)', () => {
  test.each([
    ['%nosuch 1', /Line magic function `%nosuch` not found\./],
    ['%%nosuch\nx', /Cell magic function `%%nosuch` not found\./],
    ['%flow', /but cell magic `%%flow` exists/],
    ['%%env\nx', /but line magic `%env` exists/],
    ['%%flow --bogus\nx', /unknown option --bogus/],
    ['%%flow extra\nx', /expected no arguments/],
    ['%timeit -n x f()', /expects an integer/],
    ['x = 1\n%%time\ny', /must be on the first line/],
    ['%lsmagic now', /expected no arguments/],
  ])('%j', (code, msg) => {
    expect(() => tr(code)).toThrow(UsageError);
    expect(() => tr(code)).toThrow(msg);
  });
});
