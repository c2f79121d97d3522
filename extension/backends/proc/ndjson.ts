/**
 * Newline-delimited JSON, written once: `ndjson(value)` frames one message, `LineReader` splits a byte stream
 * into lines. Only the process worker's `--stdio` transport uses it (the SLURM pilot frames by length).
 * Chunks are kept as they come and searched once each, so a long line costs linear time, not quadratic.
 */
export function ndjson(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

export class LineReader {
  private parts: string[] = [];

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      const piece = chunk.slice(from, nl);
      const line = this.parts.length ? this.parts.join('') + piece : piece;
      this.parts = [];
      from = nl + 1;
      if (line.trim()) this.onLine(line);
    }
    if (from < chunk.length) this.parts.push(chunk.slice(from));
  }
}
