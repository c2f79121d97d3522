// The %%compare table: per backend (and case) runs, mean wall, std and speed-up versus the first backend.
import { richBundle, type MimeBundle } from '../display';
import { escapeHtml, fmtMs, htmlTable, plainTable } from './format';
import { summarize, type RunSample } from './stats';

export function summaryTable(samples: readonly RunSample[], opts: { title?: string } = {}): MimeBundle {
  const stats = summarize(samples);
  const grouped = new Set(stats.map((s) => s.case)).size > 1;
  // Speed-up is relative to the first backend measured in the same case.
  const baseline = new Map<string, number>();
  for (const s of stats) if (!baseline.has(s.case)) baseline.set(s.case, s.mean);
  const header = [...(grouped ? ['case'] : []), 'backend', 'runs', 'mean wall', 'std', 'speed-up'];
  const right = [...(grouped ? [false] : []), false, true, true, true, true];
  const rows = stats.map((s) => {
    const base = baseline.get(s.case)!;
    const speedup = s.mean > 0 ? `${(base / s.mean).toFixed(2)}x` : '';
    return [...(grouped ? [s.case] : []), s.backend, String(s.runs), fmtMs(s.mean), s.runs > 1 ? fmtMs(s.std) : '', speedup];
  });
  const title = opts.title ? [opts.title] : [];
  return richBundle({
    'text/html': (opts.title ? `<div style="font-weight:bold">${escapeHtml(opts.title)}</div>` : '') +
      htmlTable(header, rows.map((r) => r.map(escapeHtml)), right),
    'text/plain': [...title, plainTable(header, rows, right)].join('\n'),
  });
}
