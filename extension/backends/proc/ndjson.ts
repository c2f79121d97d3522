/**
 * Newline-delimited JSON, written once: `ndjson(value)` frames one message, `readNdjson(text)` reads the
 * messages back out of a process's output, skipping every line that is not JSON (a library's print there must
 * not fail the task). The sbatch mode's request and reply use it; the SLURM pilot frames by length (frames.ts).
 */
export function ndjson(value: unknown): string {
  return JSON.stringify(value) + '\n';
}

export function readNdjson(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // not a message: output of the task's code
    }
  }
  return out;
}
