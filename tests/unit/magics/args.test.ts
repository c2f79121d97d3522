import { describe, expect, test } from '@jest/globals';
import { parseArgs, tokenize, type ArgSpec } from '../../../extension/magics/args';
import { UsageError } from '../../../extension/magics/types';

const timeitSpec: ArgSpec = {
  raw: true,
  options: [
    { name: 'number', short: 'n', type: 'int' },
    { name: 'repeat', short: 'r', type: 'int' },
    { name: 'output', short: 'o', type: 'boolean' },
    { name: 'quiet', short: 'q', type: 'boolean' },
  ],
};
const flowSpec: ArgSpec = {
  max: 0,
  options: [
    { name: 'backend', type: 'string' },
    { name: 'no-live', type: 'boolean' },
    { name: 'plot', type: 'string', choices: ['gantt', 'none'] },
  ],
};

describe('tokenize', () => {
  test('splits on whitespace and honours quotes and escapes', () => {
    expect(tokenize(`a  "b c" 'd "e"' f\\ g h"i j"k`).map((t) => t.value)).toEqual(['a', 'b c', 'd "e"', 'f g', 'hi jk']);
  });
  test('records where each token starts', () => {
    expect(tokenize('  -n 5 foo(1)').map((t) => t.start)).toEqual([2, 5, 7]);
  });
  test('unterminated quote is a usage error', () => {
    expect(() => tokenize('echo "abc')).toThrow(UsageError);
  });
});

describe('parseArgs', () => {
  test('short options with separate and attached values, clusters, long options with =', () => {
    const a = parseArgs('timeit', '-n 5 -r3 -qo sum(1, 2)', timeitSpec);
    expect(a.opts).toEqual({ number: 5, repeat: 3, quiet: true, output: true });
    expect(a.rest).toBe('sum(1, 2)');
    expect(parseArgs('timeit', '--repeat=4 --number 2 x', timeitSpec).opts).toEqual({ repeat: 4, number: 2 });
  });

  test('raw mode keeps the code after the options verbatim (quotes included)', () => {
    expect(parseArgs('timeit', `-n 1 f("a  b", 'c')`, timeitSpec).rest).toBe(`f("a  b", 'c')`);
    expect(parseArgs('timeit', `-n 1 -- -x`, timeitSpec).rest).toBe('-x');
    expect(parseArgs('timeit', '-n 2', timeitSpec).rest).toBe('');
  });

  test('options may follow positionals in non-raw specs', () => {
    const a = parseArgs('compare', 'async threads:2 --repeat 3 processes', {
      min: 1,
      options: [{ name: 'repeat', short: 'r', type: 'int' }],
    });
    expect(a.positional).toEqual(['async', 'threads:2', 'processes']);
    expect(a.opts.repeat).toBe(3);
  });

  test('quoted dash words are positionals, not options', () => {
    expect(parseArgs('x', `"-n" '-r'`, {}).positional).toEqual(['-n', '-r']);
  });

  test.each([
    ['-x 1', /unknown option -x/],
    ['--bogus', /unknown option --bogus/],
    ['-n', /requires a value/],
    ['-n five', /expects an integer/],
    ['-n 1.5', /expects an integer/],
    ['--output=yes', /takes no value/],
  ])('timeit %s → UsageError', (text, msg) => {
    expect(() => parseArgs('timeit', text, timeitSpec)).toThrow(msg);
    expect(() => parseArgs('timeit', text, timeitSpec)).toThrow(UsageError);
  });

  test('choices and positional bounds are checked', () => {
    expect(parseArgs('flow', '--backend=threads:2 --no-live --plot none', flowSpec).opts).toEqual({
      backend: 'threads:2',
      'no-live': true,
      plot: 'none',
    });
    expect(() => parseArgs('flow', '--plot pie', flowSpec)).toThrow(/must be one of gantt, none/);
    expect(() => parseArgs('flow', 'extra', flowSpec)).toThrow(/expected no arguments, got 1/);
    expect(() => parseArgs('w', '', { min: 1, max: 1, usage: 'path' })).toThrow(/Usage: %w path/);
  });

  test('negative numbers are positionals', () => {
    expect(parseArgs('x', '-5 a', {}).positional).toEqual(['-5', 'a']);
  });
});
