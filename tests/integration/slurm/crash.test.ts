// A kernel that dies without shutdown() must not leave its pilot job or task processes behind.
import { beforeAll, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pidAlive, requireSlurm, squeue, until } from './helpers';

beforeAll(requireSlurm);

test('SIGKILL of the client: the agent sees its lifelines close, kills its task, the pilot job ends', async () => {
  const ids = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-crash-')), 'ids');
  const dist = path.resolve(__dirname, '../../../dist/extension/backends/slurm/index.js');
  const script = `
    const { SlurmExecutionBackend } = require(${JSON.stringify(dist)});
    const b = new SlurmExecutionBackend({ partition: 'debug', slots: 1 });
    b.init().then(() => b.submit({ id: 'c1', name: 'c', kind: 'executable', command: 'echo "$$ $SLURM_JOB_ID" > ${ids}; exec sleep 120', args: [], attempt: 1 }, { started() {} }));`;
  const client = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  try {
    await until('the task to record its pid and job', () => fs.existsSync(ids) && fs.readFileSync(ids, 'utf8').endsWith('\n'));
  } catch (e) {
    client.kill('SIGKILL');
    throw e;
  }
  const [pid, job] = fs.readFileSync(ids, 'utf8').trim().split(' ').map(Number);
  expect(squeue().some((l) => l.startsWith(`${job} `))).toBe(true);
  client.kill('SIGKILL');
  await until(`job ${job} to leave squeue`, () => !squeue().some((l) => l.startsWith(`${job} `)));
  await until('the task process to die', () => !pidAlive(pid));
});
