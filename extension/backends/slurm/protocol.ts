/**
 * Messages between the SLURM backend (host) and its pilot agent. Transport: a TCP connection the agent opens
 * back to the host, Nagle off (srun's stdio forwarding added ~40 ms per message: Nagle + delayed ACK), every
 * message a signed, numbered frame (frames.ts). Function args and results travel as v8-serialized bytes beside
 * the header, so the same values survive as on the thread pool (Map, Date, BigInt, undefined, ...).
 * sbatch mode has no connection: its agent reads one request from a file and writes one reply (`--once`).
 */
import * as v8 from 'node:v8';
import type { WireError } from '../../engine/wire-errors';
import type { SourceOrigin } from '../../host';

export type { WireError } from '../../engine/wire-errors';

/** An executable: `argv` runs without a shell (exec mode), else `command` runs under bash. */
export interface ExecJob {
  type: 'exec';
  id: string;
  name: string;
  command: string;
  argv?: string[];
  cwd: string;
  /** Only the task's own variables: the agent already has the user's environment (srun exports it). */
  env?: Record<string, string>;
}

/** A function task; its args are the frame's value. */
export interface FunctionJob {
  type: 'function';
  id: string;
  name: string;
  source: string;
  /** Where the function was written, for the worker's stack frames. */
  origin?: SourceOrigin;
  cwd: string;
}

export type AgentJob = ExecJob | FunctionJob;

export type ToAgent = { type: 'welcome' } | AgentJob | { type: 'cancel'; id: string };

export type FromAgent =
  | { type: 'hello'; jobId: string; stepId: string; host: string; slots: number; pid: number }
  /** `agoMs`: it began that long before this frame (the agent holds a start report for a few ms). */
  | { type: 'started'; id: string; pid?: number; agoMs?: number }
  /** What a function task printed, in order with its reply (the function worker sends it over IPC). */
  | { type: 'output'; id: string; stream: 'stdout' | 'stderr'; text: string }
  /** The value is the frame's value (v8). */
  | { type: 'done'; id: string; ok: true; start?: HeldStart }
  /** `signal`: killed by a signal the agent did not send (e.g. SLURM ending the job or step). */
  | { type: 'done'; id: string; ok: false; error: WireError; signal?: string; start?: HeldStart };

/** A start not reported on its own (the task ended first, agent.ts START_HOLD_MS): it began `agoMs` before. */
export interface HeldStart {
  pid?: number;
  agoMs: number;
}

export const encodeValue = (v: unknown): Buffer => v8.serialize(v);
export const decodeValue = (b: Buffer | undefined): unknown => (b ? v8.deserialize(b) : undefined);
