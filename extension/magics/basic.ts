import { appendFile, writeFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { MagicDef } from './registry';
import { MAGIC_GLOBAL } from './types';

/** %lsmagic, %who, %%writefile, %%html, %%svg, %%markdown, %%latex, %%javascript: the small IPython conveniences. */

export const lsmagic: MagicDef = {
  name: 'lsmagic',
  help: 'List the available magics.',
  args: { max: 0 },
  async line(rt) {
    const { line, cell } = rt.registry.names();
    rt.ctx.out.stdout(
      `Available line magics:\n${line.map((n) => `%${n}`).join('  ')}\n\n` +
        `Available cell magics:\n${cell.map((n) => `%%${n}`).join('  ')}\n\n` +
        'Shell: a line starting with ! runs in bash. Automagic is OFF, % prefix IS needed for line magics.\n',
    );
  },
};

/** typeof, or the constructor name for objects (`%who Array`, `%who function`). */
function typeName(v: unknown): string[] {
  const names = [typeof v];
  if (v !== null && typeof v === 'object') names.push(Object.getPrototypeOf(v)?.constructor?.name ?? 'Object');
  return names;
}

export const who: MagicDef = {
  name: 'who',
  help: 'List the user variables in scope (preloaded names hidden); %who function|string|Array ... filters by type.',
  async line(rt, a) {
    const scope = rt.ctx.scope;
    const hidden = rt.session.preloaded ?? new Set<string>();
    const wanted = a.positional;
    const names = Object.keys(scope)
      .filter((n) => !hidden.has(n) && n !== MAGIC_GLOBAL && !n.startsWith('_'))
      .filter((n) => !wanted.length || typeName(scope[n]).some((t) => wanted.includes(t)))
      .sort();
    if (!names.length) {
      rt.ctx.out.stdout(wanted.length ? 'No variables match your requested type.\n' : 'Interactive namespace is empty.\n');
      return;
    }
    // IPython's layout: tab after each name, a newline after every 9.
    let text = '';
    names.forEach((n, i) => (text += `${n}\t ` + ((i + 1) % 9 === 0 ? '\n' : '')));
    rt.ctx.out.stdout(text.trimEnd() + '\n');
  },
};

export const writefile: MagicDef = {
  name: 'writefile',
  help: 'Write the cell to a file: %%writefile [-a] path.',
  cellArgs: { options: [{ name: 'append', short: 'a', type: 'boolean' }], min: 1, max: 1, usage: '[-a] path' },
  async cell(rt, a, body) {
    const path = a.positional[0].replace(/^~(?=\/|$)/, homedir());
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    const text = body.endsWith('\n') ? body : body + '\n';
    if (a.opts.append) {
      rt.ctx.out.stdout(`Appending to ${a.positional[0]}\n`);
      await appendFile(path, text);
    } else {
      rt.ctx.out.stdout(`${exists ? 'Overwriting' : 'Writing'} ${a.positional[0]}\n`);
      await writeFile(path, text);
    }
  },
};

/** A cell magic that shows its body as one mimetype (IPython's %%html, %%svg). */
function displayCell(name: string, mime: string, label: string): MagicDef {
  return {
    name,
    help: `Render the cell as ${label}.`,
    cellArgs: { max: 0 },
    async cell(rt, _a, body) {
      rt.ctx.out.display({ [mime]: body, 'text/plain': `<${label}>` });
    },
  };
}

export const html = displayCell('html', 'text/html', 'HTML');
export const svg = displayCell('svg', 'image/svg+xml', 'SVG');
export const markdown = displayCell('markdown', 'text/markdown', 'Markdown');
export const latex = displayCell('latex', 'text/latex', 'LaTeX');
export const javascript = displayCell('javascript', 'application/javascript', 'JavaScript');
