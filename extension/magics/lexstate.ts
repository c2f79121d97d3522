/**
 * Tracks, line by line, whether the next line starts in plain code or inside a template literal / block comment,
 * so that transform never rewrites a `%` or `!` line that is really part of a multi-line string or comment.
 * Strings and line comments end at the end of the line; regex literals are recognised heuristically, from the
 * token before the `/`, which may be on an earlier line: `a\n/ 2` is a division (no ASI before `/`).
 */
const REGEX_AFTER_CHAR = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'yield', 'await', 'void', 'delete', 'throw', 'new']);

export class LexState {
  /** 'T' template text, 'S' `${` substitution, 'B' brace in code. */
  private stack: ('T' | 'S' | 'B')[] = [];
  private comment = false;
  /** The last significant character ('a' for a word or literal) and word, carried from line to line. */
  private prev = '';
  private word = '';

  /** True when the next line to be fed begins in plain code. */
  get atCode(): boolean {
    return !this.comment && this.stack[this.stack.length - 1] !== 'T';
  }

  feed(line: string): void {
    let { prev, word } = this;
    let i = 0;
    const top = () => this.stack[this.stack.length - 1];
    while (i < line.length) {
      const c = line[i];
      if (this.comment) {
        if (c === '*' && line[i + 1] === '/') {
          this.comment = false;
          i += 2;
        } else i++;
        continue;
      }
      if (top() === 'T') {
        if (c === '\\') i += 2;
        else if (c === '`') (this.stack.pop(), i++);
        else if (c === '$' && line[i + 1] === '{') (this.stack.push('S'), (i += 2));
        else i++;
        prev = c;
        continue;
      }
      if (c === '/' && line[i + 1] === '/') break;
      if (c === '/' && line[i + 1] === '*') {
        this.comment = true;
        i += 2;
        continue;
      }
      if (/\s/.test(c)) {
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        i = skipString(line, i);
      } else if (c === '`') {
        this.stack.push('T');
        i++;
      } else if (c === '{') {
        this.stack.push('B');
        i++;
      } else if (c === '}') {
        if (top() === 'B' || top() === 'S') this.stack.pop();
        i++;
      } else if (c === '/' && (prev === '' || REGEX_AFTER_CHAR.has(prev) || REGEX_AFTER_WORD.has(word))) {
        i = skipRegex(line, i);
      } else {
        const m = /^[\w$]+/.exec(line.slice(i));
        if (m) {
          word = m[0];
          prev = 'a';
          i += m[0].length;
          continue;
        }
        i++;
      }
      prev = c === '"' || c === "'" || c === '/' ? 'a' : c;
      word = '';
    }
    [this.prev, this.word] = [prev, word];
  }
}

function skipString(line: string, open: number): number {
  for (let j = open + 1; j < line.length; j++) {
    if (line[j] === '\\') j++;
    else if (line[j] === line[open]) return j + 1;
  }
  return line.length;
}

function skipRegex(line: string, open: number): number {
  let inClass = false;
  for (let j = open + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j + 1;
  }
  return line.length;
}
