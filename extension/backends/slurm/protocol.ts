/**
 * Messages between the SLURM backend (client) and its pilot agent, one JSON object per line. Transport: a TCP
 * connection from the agent back to the client with Nagle off (srun's own stdio forwarding adds ~40 ms per
 * message: measured 44 ms submit-to-start, because of Nagle + delayed ACK), or stdin/stdout (sbatch mode).
 * Function args and results travel as base64 v8-serialized buffers so that the same values survive as on the
 * thread pool (structured clone: Map, Date, BigInt, undefined, ...), not just JSON.
 */
import * as v8 from 'node:v8';

export type ToAgent =
  | { type: 'exec'; id: string; command: string; cwd: string; env: Record<string, string> }
  | { type: 'function'; id: string; name: string; source: string; args: string; cwd: string }
  | { type: 'cancel'; id: string };

export interface WireError {
  message: string;
  name?: string;
  stack?: string;
  exitCode?: number;
  stderr?: string;
  /** Set when a command was killed by a signal the agent did not send (e.g. SLURM cancelling the job). */
  signal?: string;
}

export type FromAgent =
  | { type: 'hello'; jobId: string; stepId: string; host: string; slots: number; token: string }
  | { type: 'started'; id: string }
  | { type: 'done'; id: string; ok: true; value: string }
  | { type: 'done'; id: string; ok: false; error: WireError };

export const encodeValue = (v: unknown): string => v8.serialize(v).toString('base64');
export const decodeValue = (s: string): unknown => v8.deserialize(Buffer.from(s, 'base64'));

/** Calls `onLine` for each complete line of a byte stream (NDJSON framing). */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  });
}

/** Rebuilds an Error from its wire form, keeping exitCode/stderr for executables. */
export function toError(e: WireError): Error & { exitCode?: number; stderr?: string } {
  const err = new Error(e.message) as Error & { exitCode?: number; stderr?: string };
  if (e.name) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  if (e.exitCode !== undefined) err.exitCode = e.exitCode;
  if (e.stderr !== undefined) err.stderr = e.stderr;
  return err;
}
