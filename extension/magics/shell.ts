import { spawnTied } from '../backends/proc/spawn';
import { killTree } from '../backends/proc/kill';
import type { MagicDef, MagicRuntime } from './registry';
import { UsageError } from './types';

/** `!cmd`, %%bash / %%sh and %env. Output streams to the cell as it comes; a nonzero exit fails the cell. */

export class ShellError extends Error {
  override name = 'CalledProcessError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(
      signal
        ? `Command '${command}' died with ${signal}.`
        : `Command '${command}' returned non-zero exit status ${exitCode}.`,
    );
  }
}

const KILL_GRACE_MS = 2000;

/** Run `script` with `shell -c`, streaming stdout/stderr to the cell; killable through ctx.signal. */
export function runShell(rt: MagicRuntime, script: string, shell = 'bash'): Promise<void> {
  const { out, signal } = rt.ctx;
  if (signal.aborted) return Promise.reject(new ShellError(script, null, 'SIGINT'));
  return new Promise((resolve, reject) => {
    // Own process group, so an interrupt also stops the script's children (pipelines, sleeps).
    const child = spawnTied(shell, ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: process.env });
    child.stdout!.setEncoding('utf8').on('data', (s: string) => out.stdout(s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => out.stderr(s));
    const onAbort = () => void killTree(child, { graceMs: KILL_GRACE_MS });
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (code === 0 && !signal.aborted) resolve();
      else reject(new ShellError(script.trim(), code, sig ?? (signal.aborted ? 'SIGINT' : null)));
    });
  });
}

export const bash: MagicDef = {
  name: 'bash',
  help: 'Run the cell with bash, streaming its output; a nonzero exit fails the cell.',
  cellArgs: { max: 0 },
  cell: (rt, _a, body) => runShell(rt, body, 'bash'),
};

export const sh: MagicDef = {
  name: 'sh',
  help: 'Run the cell with /bin/sh, streaming its output; a nonzero exit fails the cell.',
  cellArgs: { max: 0 },
  cell: (rt, _a, body) => runShell(rt, body, 'sh'),
};

export const env: MagicDef = {
  name: 'env',
  help: 'Environment: %env (all), %env NAME (get), %env NAME=value or %env NAME value (set).',
  args: { raw: true },
  async line(rt, a) {
    const text = a.rest.trim();
    if (!text) return { ...process.env };
    const eq = text.indexOf('=');
    const ws = text.search(/\s/);
    if (eq < 0 && ws < 0) {
      if (!(text in process.env)) throw new UsageError(`Environment does not have key: ${text}`);
      return process.env[text];
    }
    const cut = eq >= 0 && (ws < 0 || eq < ws) ? eq : ws;
    const name = text.slice(0, cut).trim();
    const value = text.slice(cut + 1).trim();
    if (!/^[A-Za-z_][\w]*$/.test(name)) throw new UsageError(`%env: invalid variable name '${name}'`);
    process.env[name] = value;
    rt.ctx.out.stdout(`env: ${name}=${value}\n`);
    return undefined;
  },
};
