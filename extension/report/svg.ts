// Server-side rendering: vega-lite compile + a headless vega View (renderer 'none') to SVG, and resvg to PNG.
// vega and vega-lite are ESM-only, so they are loaded with a real dynamic import once and cached.
import { existsSync } from 'node:fs';
import type { VegaLiteSpec } from './specs';

type VegaLite = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });
type Vega = typeof import('vega', { with: { 'resolution-mode': 'import' } });

let modules: Promise<{ vl: VegaLite; vega: Vega }> | undefined;

/** Width used for server-side images of a `width: 'container'` spec (the image then scales to the output area). */
export const IMAGE_WIDTH = 760;

export function loadVega(): Promise<{ vl: VegaLite; vega: Vega }> {
  // One after the other: both import vega-util, and jest's ESM loader fails on concurrent links of one module.
  modules ??= import('vega').then(async (vega) => ({ vega, vl: await import('vega-lite') }));
  modules.catch(() => (modules = undefined)); // allow a retry after a failed load
  return modules;
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG string. A 'container' width is drawn IMAGE_WIDTH wide, and
 * the SVG gets width="100%" with its viewBox, so it follows the output area instead of scrolling.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vl, vega } = await loadVega();
  // vega tags data objects in place (Symbol(vega_id)); render a copy so the caller's spec stays plain JSON.
  const copy = withoutTooltips(structuredClone(spec));
  const fluid = copy.width === 'container';
  if (fluid) copy.width = IMAGE_WIDTH - 120; // room for the y labels and legend within IMAGE_WIDTH
  const compiled = vl.compile(copy as unknown as Parameters<VegaLite['compile']>[0], { logger: quietLogger(vega) });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return fluid ? fluidSvg(svg) : svg;
  } finally {
    view.finalize();
  }
}

/** Tooltips cannot show in a static image; they made a 1,000-task SVG ~2x bigger and slower (a <title> per mark). */
function withoutTooltips(spec: VegaLiteSpec): VegaLiteSpec {
  const strip = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(strip);
    const o = node as Record<string, unknown>;
    if (o.encoding && typeof o.encoding === 'object') delete (o.encoding as Record<string, unknown>).tooltip;
    if (o.mark && typeof o.mark === 'object') delete (o.mark as Record<string, unknown>).tooltip;
    for (const k of ['layer', 'hconcat', 'vconcat', 'concat']) strip(o[k]);
    if (o.spec) strip(o.spec);
  };
  strip(spec);
  return spec;
}

/** width="W" height="H" -> width="100%" with a viewBox, capped at its natural width. */
function fluidSvg(svg: string): string {
  const open = /^<svg[^>]*>/.exec(svg)?.[0] ?? '';
  return svg.replace(/^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)"/, (_m, pre: string, w: string, h: string) => {
    const box = /viewBox=/.test(open) ? '' : ` viewBox="0 0 ${w} ${h}"`;
    return `<svg${pre} width="100%" style="max-width:${w}px"${box}`;
  });
}

// Debian's DejaVu when present (fonts-dejavu-core; loading one file is ~3x faster than scanning the system's
// fonts on every render), else whatever the system has.
const DEJAVU = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];
const FONTS = DEJAVU.every((f) => existsSync(f))
  ? { loadSystemFonts: false, fontFiles: DEJAVU, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' }
  : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };

type Resvg = typeof import('@resvg/resvg-js');
let resvg: Resvg | undefined;

/**
 * Rasterises an SVG (from renderSvg) to PNG with resvg (prebuilt binary from the registry, no browser), at
 * `scale` times its size. PNG is what survives everywhere: nbconvert 6.5 HTML strips <svg> children, and an
 * untrusted notebook hides SVG and HTML.
 */
export function renderPng(svg: string, scale = 1): Buffer {
  resvg ??= require('@resvg/resvg-js') as Resvg;
  // Natural size: the viewBox (a fluid SVG says width="100%").
  const box = /viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"/.exec(svg);
  const width = box ? Number(box[1]) : undefined;
  const r = new resvg.Resvg(svg, {
    fitTo: width ? { mode: 'width', value: Math.round(width * scale) } : { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: FONTS,
  });
  return r.render().asPng();
}

/** vega-lite warns on console by default; inside a kernel that would land on the cell's stderr. */
function quietLogger(vega: Vega) {
  return vega.logger(vega.None);
}
