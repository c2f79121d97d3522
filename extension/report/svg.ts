// Server-side SVG: vega-lite compile + a headless vega View (renderer 'none'). Both packages are ESM-only,
// so they are loaded with a real dynamic import once and cached.
import type { VegaLiteSpec } from './specs';

type VegaLite = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });
type Vega = typeof import('vega', { with: { 'resolution-mode': 'import' } });

let modules: Promise<{ vl: VegaLite; vega: Vega }> | undefined;

export function loadVega(): Promise<{ vl: VegaLite; vega: Vega }> {
  // One after the other: both import vega-util, and jest's ESM loader fails on concurrent links of one module.
  modules ??= import('vega').then(async (vega) => ({ vega, vl: await import('vega-lite') }));
  modules.catch(() => (modules = undefined)); // allow a retry after a failed load
  return modules;
}

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vl, vega } = await loadVega();
  // vega tags data objects in place (Symbol(vega_id)); render a copy so the caller's spec stays plain JSON.
  const compiled = vl.compile(structuredClone(spec) as unknown as Parameters<VegaLite['compile']>[0], { logger: quietLogger(vega) });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** vega-lite warns on console by default; inside a kernel that would land on the cell's stderr. */
function quietLogger(vega: Vega) {
  return vega.logger(vega.None);
}
