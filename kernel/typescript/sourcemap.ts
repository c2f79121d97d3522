// Minimal source-map reader: generated line -> original line (0-based), enough to map stack traces to cell lines.
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
