import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMagics } from '../../../extension/magics';
import { harness } from './helpers';

describe('%lsmagic and names()', () => {
  test('lists every magic, same as names() for completion', async () => {
    const magics = createMagics();
    const { line, cell } = magics.names();
    expect(line).toEqual(expect.arrayContaining(['backend', 'env', 'lsmagic', 'time', 'timeit', 'who']));
    expect(cell).toEqual(expect.arrayContaining(['bash', 'compare', 'flow', 'html', 'svg', 'time', 'timeit', 'writefile']));
    expect(line).not.toContain('flow');
    const h = harness({}, magics);
    await h.cell('%lsmagic');
    expect(h.sink.out).toContain(`Available line magics:\n${line.map((n) => '%' + n).join('  ')}\n`);
    expect(h.sink.out).toContain(`Available cell magics:\n${cell.map((n) => '%%' + n).join('  ')}\n`);
  });
});

describe('%who', () => {
  test('lists user variables, not preloaded ones; filters by type', async () => {
    const h = harness({ flow: {}, plot: {} });
    await h.cell('%who');
    expect(h.sink.out).toBe('Interactive namespace is empty.\n');
    await h.cell('const b = 1\nconst a = "s"\nfunction f() {}');
    h.sink.calls = [];
    await h.cell('%who');
    expect(h.sink.out).toBe('a\t b\t f\n');
    h.sink.calls = [];
    await h.cell('%who function number');
    expect(h.sink.out).toBe('b\t f\n');
  });
});

describe('%%writefile, %%html, %%svg', () => {
  test('writes, overwrites and appends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowbook-wf-'));
    const h = harness({ dir });
    const file = join(dir, 'x.txt');
    await h.cell(`%%writefile {dir}/x.txt\nline 1`);
    await h.cell(`%%writefile -a {dir}/x.txt\nline 2`);
    expect(readFileSync(file, 'utf8')).toBe('line 1\nline 2\n');
    await h.cell(`%%writefile {dir}/x.txt\nfresh`);
    expect(readFileSync(file, 'utf8')).toBe('fresh\n');
    expect(h.sink.out).toBe(`Writing ${file}\nAppending to ${file}\nOverwriting ${file}\n`);
  });

  test('html and svg display their body', async () => {
    const h = harness();
    await h.cell('%%html\n<b>hi</b>');
    await h.cell('%%svg\n<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    const [html, svg] = h.sink.of('display');
    expect(html.bundle!['text/html']).toBe('<b>hi</b>');
    expect(svg.bundle!['image/svg+xml']).toBe('<svg xmlns="http://www.w3.org/2000/svg"></svg>');
  });

  test('a usage error means the cell does not run at all', async () => {
    const h = harness({ ran: false });
    await expect(h.cell('ran = true\n%who_ls')).rejects.toThrow(/Line magic function `%who_ls` not found/);
    expect(h.scope.ran).toBe(false);
  });
});
