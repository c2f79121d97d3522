// SLURM backend options, checked when the backend is made: a wrong type is a TypeError and a value out of range
// a RangeError, each naming the option, as the pools' (pools/options.ts) and piscina's are. `maxConcurrent` was
// not checked at all: 0 queued every task forever.
import type { SlurmMode, SlurmOptions } from './index';

const WHERE = 'SlurmExecutionBackend';
const MODES: SlurmMode[] = ['pilot', 'srun', 'sbatch'];
const KNOWN = new Set([
  'partition', 'account', 'nodes', 'minPilots', 'maxPilots', 'idleTimeout', 'cpusPerTask', 'timeLimit', 'mode', 'slots',
  'maxConcurrent', 'tls', 'maxMessageMb',
]);

function number(o: SlurmOptions, name: keyof SlurmOptions, min: number, integer: boolean): void {
  const v = o[name];
  if (v === undefined) return;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${WHERE}: option '${name}' must be a number, got ${v === null ? 'null' : typeof v}`);
  if (integer && !Number.isInteger(v)) throw new TypeError(`${WHERE}: option '${name}' must be an integer, got ${v}`);
  if (v < min || !Number.isFinite(v)) throw new RangeError(`${WHERE}: option '${name}' must be a finite number >= ${min}, got ${v}`);
}

function string(o: SlurmOptions, name: keyof SlurmOptions): void {
  const v = o[name];
  if (v !== undefined && (typeof v !== 'string' || !v)) throw new TypeError(`${WHERE}: option '${name}' must be a non-empty string, got ${typeof v === 'string' ? "''" : typeof v}`);
}

export function checkSlurmOptions(o: SlurmOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError(`${WHERE}: options must be an object`);
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new TypeError(`${WHERE}: unknown option '${k}'`);
  if (o.mode !== undefined && !MODES.includes(o.mode)) throw new RangeError(`SLURM: unknown mode '${String(o.mode)}' (pilot, srun or sbatch)`);
  string(o, 'partition');
  string(o, 'account');
  number(o, 'nodes', 1, true);
  number(o, 'maxPilots', 1, true);
  number(o, 'minPilots', 0, true);
  number(o, 'slots', 1, true);
  number(o, 'cpusPerTask', 1, true);
  number(o, 'maxConcurrent', 1, true);
  number(o, 'idleTimeout', 0, false);
  number(o, 'maxMessageMb', 0.001, false);
  const t = o.timeLimit;
  if (t !== undefined && typeof t !== 'string' && typeof t !== 'number') throw new TypeError(`${WHERE}: option 'timeLimit' must be a string such as '01:00:00' or a number of minutes, got ${typeof t}`);
  if (typeof t === 'number') number(o, 'timeLimit', 1, true);
  if (o.tls !== undefined && typeof o.tls !== 'boolean') throw new TypeError(`${WHERE}: option 'tls' must be a boolean, got ${typeof o.tls}`);
  if (o.minPilots !== undefined && o.minPilots > Math.max(1, o.maxPilots ?? o.nodes ?? 1)) {
    throw new RangeError(`SLURM: minPilots (${o.minPilots}) is above maxPilots (${Math.max(1, o.maxPilots ?? o.nodes ?? 1)})`);
  }
}
