// Minimal source-map reader for tracebacks: generated line -> original line (0-based), and a generated position ->
// the original position; then a column in the rewritten body -> the column in the cell (alignColumn).
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** For each generated line, the original line of its first mapped segment (or -1). */
export function lineMap(mappings: string): number[] {
  const result: number[] = [];
  let srcLine = 0;
  for (const line of mappings.split(';')) {
    let first = -1;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      if (f.length >= 4) {
        srcLine += f[2];
        if (first < 0) first = srcLine;
      }
    }
    result.push(first);
  }
  return result;
}

/** The original [line, column] (0-based) of generated `line`/`col`: its last segment at or before `col`. */
export function mapPosition(mappings: string, line: number, col: number): [number, number] | null {
  let [srcLine, srcCol] = [0, 0];
  let found: [number, number] | null = null;
  const lines = mappings.split(';');
  for (let l = 0; l < lines.length && l <= line; l++) {
    let genCol = 0;
    for (const seg of lines[l].split(',')) {
      if (!seg) continue;
      const f = decodeVlq(seg);
      genCol += f[0];
      if (f.length < 4) continue;
      srcLine += f[2];
      srcCol += f[3];
      if (l === line && (genCol <= col || !found)) found = [srcLine, srcCol];
    }
  }
  return found;
}

/**
 * The column in `cellLine` of column `col` in `bodyLine`, the same line after the kernel's rewrite (`return [`
 * before a last expression, assignments for declarations, awaits bridged): the two are aligned character by
 * character (longest common subsequence), and `col` goes to its aligned character, or the next one that is.
 */
export function alignColumn(bodyLine: string, cellLine: string, col: number): number {
  const [n, m] = [bodyLine.length, cellLine.length];
  if (bodyLine === cellLine || n * m > 4e6) return Math.max(0, Math.min(col - (n - m), m));
  const dp = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i][j] = bodyLine[i] === cellLine[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  }
  const to = new Int32Array(n).fill(-1);
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (bodyLine[i] === cellLine[j] && dp[i][j] === dp[i + 1][j + 1] + 1) (to[i] = j, i++, j++);
    else if (dp[i + 1][j] >= dp[i][j + 1]) i++;
    else j++;
  }
  for (let i = col; i < n; i++) if (to[i] >= 0) return to[i];
  return m;
}
