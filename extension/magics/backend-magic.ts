import { flowOf, install, resolveBackend, SPEC_HELP } from './backend-spec';
import type { MagicDef } from './registry';

/** %backend: show or switch the default backend of the session's engine (`flow`). */
export const backendMagic: MagicDef = {
  name: 'backend',
  help: `Show or set flow's default backend: %backend [${SPEC_HELP}].`,
  args: { max: 2, usage: SPEC_HELP },
  async line(rt, a) {
    const flow = flowOf(rt.ctx.scope);
    const current = flow.backend;
    if (!a.positional.length) {
      const spec = rt.session.backend?.backend === current ? ` (${rt.session.backend.label})` : '';
      const named = [...flow.backends.keys()].filter((n) => flow.backends.get(n) !== current);
      rt.ctx.out.stdout(`Current backend: ${current.name}${spec}${named.length ? `\nNamed backends: ${named.join(', ')}` : ''}\n`);
      await describeInto(rt.ctx.out, current);
      return undefined;
    }
    const choice = resolveBackend(a.positional, rt.ctx.scope);
    await install(flow, choice);
    rt.session.backend = { label: choice.label, backend: choice.backend };
    rt.ctx.out.stdout(`Backend: ${choice.label} (was ${current.name})\n`);
    await describeInto(rt.ctx.out, choice.backend);
    return undefined;
  },
};

/** A backend that can say where its tasks will run (SLURM: partition, nodes, limits) prints it. */
async function describeInto(out: { stdout(text: string): void }, backend: unknown): Promise<void> {
  const d = (backend as { describe?: () => Promise<string> }).describe;
  if (typeof d === 'function') out.stdout((await d.call(backend)) + '\n');
}
