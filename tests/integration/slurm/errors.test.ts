// init() must fail at once, with a message saying what to do, for an unreachable slurmctld or a bad partition.
import { beforeAll, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SlurmExecutionBackend } from '../../../extension/backends/slurm';
import { requireSlurm } from './helpers';

beforeAll(requireSlurm);

describe('SLURM backend: bad input', () => {
  test('unknown partition fails init with the known partitions', async () => {
    const b = new SlurmExecutionBackend({ partition: 'no-such-partition' });
    await expect(b.init()).rejects.toThrow("SLURM: unknown partition 'no-such-partition'; known partitions: debug");
  });

  test('unreachable slurmctld fails init at once and says how to start it', async () => {
    // A copy of the real config whose controller port nobody listens on: the real slurmctld keeps running.
    const real = fs.readFileSync(process.env.SLURM_CONF ?? '/etc/slurm/slurm.conf', 'utf8');
    const conf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-slurm-dead-')), 'slurm.conf');
    fs.writeFileSync(conf, real.replace(/^SlurmctldPort=.*$/m, 'SlurmctldPort=6999'));
    const saved = process.env.SLURM_CONF;
    process.env.SLURM_CONF = conf;
    try {
      const err: any = await new SlurmExecutionBackend({}).init().catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/^SLURM: slurmctld is not reachable .*scripts\/slurm\/start\.sh/);
    } finally {
      if (saved === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = saved;
    }
  });

  test('unknown mode is rejected by the constructor', () => {
    expect(() => new SlurmExecutionBackend({ mode: 'ssh' as never })).toThrow("SLURM: unknown mode 'ssh' (pilot, srun or sbatch)");
  });
});
