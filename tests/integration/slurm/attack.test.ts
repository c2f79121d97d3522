// The pilot channel under attack by another local user (issue 16.1): `nobody` reads ps and /proc, connects to
// the pilot's listener while the pilot waits for its allocation, replays bytes captured from another pilot's
// agent, sends garbage and floods connections. It must receive nothing and change nothing; the host logs each
// refusal (rate-limited) and the workflow completes with the right results.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { agentScript } from '../../../extension/backends/slurm/pilot';
import { refusals } from '../../../extension/backends/slurm/refusals';
import { exec, fn, requireSlurm, squeue, startHooks, until } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-attack-'));
let blocker: string | undefined;
beforeAll(() => {
  requireSlurm();
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(path.join(__dirname, 'attacker.js'), path.join(dir, 'attacker.js'));
});
afterAll(() => {
  if (blocker) spawnSync('scancel', [blocker]);
});

/** Bytes a real agent sends to its host: its signed hello, captured on a listener of ours. */
async function captureHello(): Promise<Buffer> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  const got = new Promise<Buffer>((resolve) => srv.once('connection', (s) => s.once('data', (d: Buffer) => (resolve(d), s.destroy()))));
  const agent = spawn(process.execPath, [agentScript(), '--slots', '1', '--connect', `127.0.0.1:${port}`, '--name', 'other'], { stdio: ['pipe', 'ignore', 'ignore'] });
  agent.stdin.write('ab'.repeat(32) + '\n');
  const bytes = await got;
  agent.kill('SIGKILL');
  srv.close();
  return bytes;
}

/** The attacker, as `nobody`; the key to look for comes on its stdin (in its argv, ps would show it). */
function asNobody(port: number, key: string, replay: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('runuser', ['-u', 'nobody', '--', process.execPath, path.join(dir, 'attacker.js'), String(port), replay]);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', () => resolve({ stdout, stderr }));
    c.stdin.end(key + '\n');
  });
}

test('another user reads nothing, gets nothing, changes nothing; refusals are logged; the workflow completes', async () => {
  const replay = path.join(dir, 'replay.bin');
  fs.writeFileSync(replay, await captureHello(), { mode: 0o644 });
  const [nodes, cpus] = execFileSync('sinfo', ['-h', '-p', 'debug', '-o', '%D %c'], { encoding: 'utf8' }).trim().split(' ');
  // Hold every CPU of every node, so that the pilot pends and its listener is open while the attacker works.
  blocker = execFileSync('sbatch', ['--parsable', '-p', 'debug', `-N${nodes}`, '--ntasks-per-node=1', `--cpus-per-task=${cpus}`, '-o', '/dev/null', '--wrap', 'sleep 300'], { encoding: 'utf8' }).trim();
  await until('the blocker to run', () => squeue().some((l) => l.startsWith(`${blocker} `) && l.endsWith('RUNNING')));

  const logged: string[] = [];
  const sink = refusals.sink;
  refusals.sink = (l) => logged.push(l);
  const before = refusals.total;
  const b = new SlurmExecutionBackend({ partition: 'debug', slots: 1, idleTimeout: 0 });
  try {
    await b.init();
    const results = [b.submit(fn((a: number) => a * 2, [21]), startHooks()), b.submit(exec('echo ok'), startHooks())];
    const pool = (b as any).pool;
    await until('a pilot to listen', () => pool.pilots[0]?.listener?.port > 0);
    const pilot = pool.pilots[0];
    const key = (pilot.key as Buffer).toString('hex');
    const r = await asNobody(pilot.listener.port, key, replay);
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout);
    expect(seen.keyInPs).toBe(false);
    expect(seen.keyInEnviron).toBe(false);
    expect(seen.connected).toBeGreaterThan(60);
    expect(seen.received).toBe(0);
    expect(pilot.running).toBe(false); // nobody got in
    expect(refusals.total - before).toBeGreaterThanOrEqual(seen.connected - 1);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(11); // rate-limited: 10 lines, then a summary
    expect(logged[0]).toMatch(/refused .* on flowbook-.*'s channel: /);

    spawnSync('scancel', [blocker!]);
    blocker = undefined;
    expect(await Promise.all(results)).toEqual([42, 'ok']);
    // After the agent's hello the listener is closed: the same replay now finds no one.
    const late = await asNobody(pilot.listener.port, key, replay);
    const after = JSON.parse(late.stdout);
    expect(after.received).toBe(0);
    expect(after.connected).toBe(0);
    expect(await b.submit(fn(() => 'still fine'), startHooks())).toBe('still fine');
  } finally {
    refusals.sink = sink;
    await b.shutdown();
  }
}, 120000);

test('tls: the channel runs over TLS-PSK; tasks and values go through it', async () => {
  const b = new SlurmExecutionBackend({ partition: 'debug', slots: 1, tls: true });
  try {
    await b.init();
    expect(await b.submit(fn((m: Map<string, number>) => m.get('a'), [new Map([['a', 7]])]), startHooks())).toBe(7);
    expect(await b.submit(exec('echo over-tls'), startHooks())).toBe('over-tls');
  } finally {
    await b.shutdown();
  }
}, 60000);
