/**
 * What is_complete, complete and inspect parse. The TypeScript parser recurses per nesting level: 20,000 nested
 * `{` overflowed its stack (RangeError, no reply), and 8 MB took 12 s on the main thread (issue 17 item 4).
 * Past these bounds the request is answered without parsing ('unknown', no matches, not found), as ipykernel
 * answers 'unknown' when it cannot tell.
 */
export const MAX_PARSED_CHARS = 200_000;
export const MAX_NESTING = 500;

/** Bracket depth, counted over the raw text (brackets in strings count too: a bound, not a parse). */
function nesting(code: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 0x7b || c === 0x28 || c === 0x5b) max = Math.max(max, ++depth); // { ( [
    else if ((c === 0x7d || c === 0x29 || c === 0x5d) && depth > 0) depth--;
  }
  return max;
}

export function parseable(code: string): boolean {
  return code.length <= MAX_PARSED_CHARS && nesting(code) <= MAX_NESTING;
}
