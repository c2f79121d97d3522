// history_request over this session's cells: tail, range and search (glob pattern, unique, n), as ipykernel.
import { log } from '../log';

export interface HistoryRequest {
  hist_access_type?: string;
  n?: number;
  pattern?: string;
  output?: boolean;
  unique?: boolean;
  start?: number;
  stop?: number;
}

/** Longer patterns are refused (empty history): matching costs at most pattern length × cell length. */
export const MAX_PATTERN = 1000;

/** `?` (any one character) or the same character, at text[at...]. */
function segmentAt(text: string, at: number, seg: string): boolean {
  if (at + seg.length > text.length) return false;
  for (let j = 0; j < seg.length; j++) if (seg[j] !== '?' && seg[j] !== text[at + j]) return false;
  return true;
}

/**
 * Glob match of the whole text, `*` any run and `?` one character. It was a RegExp built from the pattern, and
 * '*a' × 25 + 'b' backtracked exponentially on the main thread: no reply, and interrupt could not break it
 * (issue 17 item 1). Here each `*`-separated segment is placed at its earliest position after the previous one,
 * which is enough for a glob (no backtracking): at most pattern length × text length steps.
 */
export function globMatch(pattern: string, text: string): boolean {
  const segs = pattern.split('*');
  if (segs.length === 1) return pattern.length === text.length && segmentAt(text, 0, pattern);
  const first = segs[0];
  const last = segs[segs.length - 1];
  if (!segmentAt(text, 0, first)) return false;
  const end = text.length - last.length; // where the last segment must start
  if (end < first.length || !segmentAt(text, end, last)) return false;
  let pos = first.length;
  for (const seg of segs.slice(1, -1)) {
    if (!seg) continue;
    let at = pos;
    while (at + seg.length <= end && !segmentAt(text, at, seg)) at++;
    if (at + seg.length > end) return false;
    pos = at + seg.length;
  }
  return true;
}

export class SessionHistory {
  private readonly entries: [number, number, string][] = [];
  private readonly outputs = new Map<number, string>();

  input(n: number, code: string): void {
    this.entries.push([0, n, code]);
  }

  output(n: number, text: string): void {
    this.outputs.set(n, text);
  }

  /** [execution count, code] of every stored cell (for %history). */
  cells(): [number, string][] {
    return this.entries.map(([, n, code]): [number, string] => [n, code]);
  }

  request(c: HistoryRequest): unknown[] {
    let h = this.entries.slice();
    if (c.hist_access_type === 'range') h = h.filter(([, line]) => line >= (c.start ?? 0) && (c.stop === undefined || c.stop === null || line < c.stop));
    if (c.hist_access_type === 'search') {
      const pattern = typeof c.pattern === 'string' ? c.pattern : '*';
      if (pattern.length > MAX_PATTERN) {
        log(`history_request: search pattern of ${pattern.length} characters refused (at most ${MAX_PATTERN})`);
        return [];
      }
      h = h.filter((e) => globMatch(pattern, e[2]));
      if (c.unique) {
        const seen = new Set<string>();
        h = h.reverse().filter((e) => !seen.has(e[2]) && seen.add(e[2])).reverse();
      }
    }
    if (c.n && c.hist_access_type !== 'range') h = h.slice(-c.n);
    return c.output ? h.map(([s, l, src]) => [s, l, [src, this.outputs.get(l) ?? null]]) : h;
  }
}
