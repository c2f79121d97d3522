import { describe, expect, test } from '@jest/globals';
import { TaskTimeline, VEGALITE_MIME, ganttSpec, plot, renderSvg } from '../../../extension/report';
import { ev, lifecycle } from './fixtures';

const isSvg = (s: unknown) => typeof s === 'string' && /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/.test(s) && s.trimEnd().endsWith('</svg>');

describe('renderSvg', () => {
  test('renders valid SVG that names every task of a small chart', async () => {
    const tl = new TaskTimeline([
      ev('1', 'RUNNING', 0, { name: 'fetch-data' }),
      ev('2', 'RUNNING', 2, { name: 'train<model>' }),
      ev('1', 'DONE', 5, { name: 'fetch-data' }),
      ev('2', 'FAILED', 9, { name: 'train<model>' }),
    ]);
    const svg = await renderSvg(ganttSpec(tl.rows));
    expect(isSvg(svg)).toBe(true);
    expect(svg).toContain('fetch-data');
    expect(svg).toContain('train&lt;model&gt;');
    expect(svg).toContain('#D55E00'); // the failed bar
  });
});

describe('plot bundles', () => {
  const events = [...lifecycle(4), ev('x', 'RUNNING', 1001), ev('x', 'FAILED', 1030, { error: 'boom' })];

  test('gantt accepts events, a timeline or rows and returns spec, SVG, PNG and summary', async () => {
    const fromEvents = await plot.gantt(events);
    expect(Object.keys(fromEvents).sort()).toEqual([VEGALITE_MIME, 'image/svg+xml', 'image/png', 'text/plain'].sort());
    expect(fromEvents['text/plain']).toBe('Gantt: 5 tasks, 4 done, 1 failed, wall 30.0 ms (first task started at 1.0 ms)');
    expect(isSvg(fromEvents['image/svg+xml'])).toBe(true);
    const tl = new TaskTimeline(events);
    const fromTimeline = await plot.gantt(tl);
    const fromRows = await plot.gantt(tl.rows);
    expect(fromTimeline[VEGALITE_MIME]).toEqual(fromEvents[VEGALITE_MIME]);
    expect(fromRows['text/plain']).toBe(fromEvents['text/plain']);
    expect((fromEvents[VEGALITE_MIME] as { $schema: string }).$schema).toContain('vega-lite/v5');
  });

  test('bars returns the four mimetypes with mean, min–max and n in the summary', async () => {
    const b = await plot.bars([
      { backend: 'local', wall: 10 },
      { backend: 'local', wall: 20 },
      { backend: 'dask', wall: 5 },
    ]);
    expect(Object.keys(b).sort()).toEqual([VEGALITE_MIME, 'image/svg+xml', 'image/png', 'text/plain'].sort());
    expect(b['text/plain']).toBe('Bars: local 15.0 ms (min 10.0 ms, max 20.0 ms, n=2), dask 5.0 ms (n=1)');
    expect(String(b['image/svg+xml'])).toContain('dask');
  });

  test('summaryTable gives runs, mean, std and speed-up versus the first backend', () => {
    const t = plot.summaryTable([
      { backend: 'local', wall: 100 },
      { backend: 'local', wall: 300 },
      { backend: 'threads', wall: 50 },
    ]);
    const lines = String(t['text/plain']).split('\n');
    expect(lines[0]).toMatch(/backend\s+runs\s+mean wall\s+std\s+speed-up/);
    expect(lines[2]).toMatch(/local\s+2\s+200\.0 ms\s+141\.4 ms\s+1\.00x/);
    expect(lines[3]).toMatch(/threads\s+1\s+50\.0 ms\s+4\.00x/);
    expect(String(t['text/html'])).toContain('<table');
  });
});
