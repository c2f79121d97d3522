import * as os from 'node:os';

/** CPUs this process may use: the default worker and process count of every local pool. */
export function cpuCount(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}
