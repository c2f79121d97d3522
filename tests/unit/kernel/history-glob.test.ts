// globMatch agrees with the glob -> RegExp it replaced, and stays fast on the pattern that made the RegExp blow up.
import { describe, expect, test } from '@jest/globals';
import { globMatch } from '../../../kernel/shell/history';

const viaRegExp = (pattern: string, text: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's').test(text);

describe('globMatch', () => {
  test('agrees with the RegExp on 20,000 random small patterns and texts', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pick = (alphabet: string, max: number) => Array.from({ length: rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick('ab*?.', 7);
      const text = pick('ab.\n', 9);
      expect([pattern, text, globMatch(pattern, text)]).toEqual([pattern, text, viaRegExp(pattern, text)]);
    }
  });

  test("'*a' x 25 + 'b' against 'a' x 60 answers false (the RegExp took minutes)", () => {
    expect(globMatch('*a'.repeat(25) + 'b', 'a'.repeat(60))).toBe(false);
    expect(globMatch('*a'.repeat(500) + 'b', 'a'.repeat(100_000))).toBe(false);
  });
});
