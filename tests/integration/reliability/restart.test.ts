// Fault 6: restart (shutdown_request with restart: true, sent by jupyter_client's KernelManager) while tasks
// run leaves no orphan process and no SLURM job: executables, process-pool workers and a SLURM pilot.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jupyterEnv, PYTHON, type JupyterEnv } from '../kernel/helpers';
import { requireSlurm, squeue } from '../slurm/helpers';
import { descendants, pidAlive, tempDir, waitFor } from './helpers';

// The driver: a real client. It starts the kernel, runs the cells, then waits for our go-ahead files so the
// test can snapshot the process table before each restart/shutdown.
const DRIVER = String.raw`
import json, os, sys, time
from jupyter_client import KernelManager
d = sys.argv[1]
def wait(name, t=120):
    end = time.time() + t
    while not os.path.exists(os.path.join(d, name)):
        if time.time() > end: sys.exit('timed out waiting for ' + name)
        time.sleep(0.05)
def note(name, value):
    open(os.path.join(d, name + '.tmp'), 'w').write(json.dumps(value))
    os.rename(os.path.join(d, name + '.tmp'), os.path.join(d, name))
km = KernelManager(kernel_name='flowbook')
km.start_kernel()
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
for code in json.load(open(os.path.join(d, 'cells.json'))):
    reply = kc.execute(code, reply=True, timeout=60)['content']
    if reply['status'] != 'ok':
        km.shutdown_kernel(now=True)
        sys.exit('cell failed: %s: %s' % (reply.get('ename'), reply.get('evalue')))
note('kernel1', km.provisioner.process.pid)
wait('go-restart')
t0 = time.time()
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=60)
note('kernel2', {'pid': km.provisioner.process.pid, 'restart_s': time.time() - t0})
msg_id = kc.execute('typeof flow + " " + (1 + 1)')
while True:
    m = kc.get_iopub_msg(timeout=30)
    if m['parent_header'].get('msg_id') == msg_id and m['msg_type'] in ('execute_result', 'error'):
        note('check', m['content'].get('data', {}).get('text/plain') or m['content'].get('evalue'))
        break
wait('go-shutdown')
t0 = time.time()
km.shutdown_kernel(now=False)
note('shutdown', time.time() - t0)
`;

let env: JupyterEnv;
beforeAll(() => {
  requireSlurm();
  env = jupyterEnv();
});
afterAll(() => env?.cleanup());

const read = (dir: string, name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
const exists = (dir: string, name: string) => fs.existsSync(path.join(dir, name));
/** Jobs of flowbook pilots started by that kernel (pilot job names are flowbook-<kernel pid>-<n>). */
const jobsOf = (pid: number) => squeue().filter((l) => l.split(' ')[1]?.startsWith(`flowbook-${pid}-`));

describe('restart from jupyter_client while tasks run', () => {
  test('no orphan process, no SLURM job, and the new kernel serves', async () => {
    const dir = tempDir('restart');
    const f = (n: string) => JSON.stringify(path.join(dir, n));
    fs.writeFileSync(path.join(dir, 'cells.json'), JSON.stringify([
      // Two busy workers in a process pool (a sync loop never sees its IPC channel close) and two executables.
      '%backend processes 2',
      `const spin = flow.functionTask((file: string) => { require('node:fs').writeFileSync(file, String(process.pid)); for (;;) {} });
       spin(${f('pool-0')}); spin(${f('pool-1')});
       const sh = flow.executableTask((file: string) => 'echo $$ > ' + file + '; exec sleep 300');
       sh(${f('exec-0')}); sh(${f('exec-1')}); 'started'`, // a task future as the cell's value would be awaited
      '%backend slurm debug',
      `flow.executableTask(() => 'echo $$ $SLURM_JOB_ID > ${path.join(dir, 'slurm')}; exec sleep 300')(); 'started'`,
    ]));
    const py = spawn(PYTHON, ['-c', DRIVER, dir], { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    py.stdout.on('data', (d) => (out += d));
    py.stderr.on('data', (d) => (out += d));
    const pyExit = new Promise<number | null>((r) => py.on('exit', r));
    try {
      const files = ['kernel1', 'pool-0', 'pool-1', 'exec-0', 'exec-1', 'slurm'];
      await waitFor(() => files.every((n) => exists(dir, n) && fs.readFileSync(path.join(dir, n), 'utf8').trim() !== ''), `tasks to start (${out})`, 90_000);
      const kernel1 = read(dir, 'kernel1') as number;
      const [slurmPid, slurmJob] = fs.readFileSync(path.join(dir, 'slurm'), 'utf8').trim().split(' ').map(Number);
      const tree = descendants(kernel1);
      const taskPids = ['pool-0', 'pool-1', 'exec-0', 'exec-1'].map((n) => Number(fs.readFileSync(path.join(dir, n), 'utf8')));
      for (const p of taskPids) expect(tree).toContain(p);
      expect(jobsOf(kernel1).length).toBeGreaterThan(0);

      fs.writeFileSync(path.join(dir, 'go-restart'), '');
      await waitFor(() => exists(dir, 'check'), `the restarted kernel to answer (${out})`, 90_000);
      const kernel2 = read(dir, 'kernel2') as { pid: number; restart_s: number };
      console.log(`restart with 4 local tasks + 1 SLURM task running: ${kernel2.restart_s.toFixed(2)} s`);
      expect(read(dir, 'check')).toBe("'object 2'");
      const survivors = [kernel1, ...tree, slurmPid].filter(pidAlive);
      expect(survivors).toEqual([]);
      expect(squeue().filter((l) => l.startsWith(`${slurmJob} `))).toEqual([]);
      expect(jobsOf(kernel1)).toEqual([]);

      fs.writeFileSync(path.join(dir, 'go-shutdown'), '');
      expect(await pyExit).toBe(0);
      expect(pidAlive(kernel2.pid)).toBe(false);
    } finally {
      // On failure, leave nothing behind for the next test: whatever our kernels started, then the driver.
      for (const k of ['kernel1', 'kernel2']) {
        if (!exists(dir, k)) continue;
        const v = read(dir, k);
        const pid = typeof v === 'number' ? v : v.pid;
        for (const p of [...descendants(pid), pid]) if (pidAlive(p)) process.kill(p, 'SIGKILL');
      }
      if (py.exitCode === null) py.kill('SIGKILL');
    }
  }, 240_000);
});
