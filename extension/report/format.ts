// Small formatting helpers shared by the tables, the plot summaries and the specs.
import type { TaskState } from '../engine/events';

/**
 * Fixed state colours (Okabe–Ito, safe for the common colour-vision deficiencies), used by the HTML tables and
 * the charts so both agree. Failure also has a second cue in the charts (a dark outline and a cross marker).
 */
export const STATE_COLORS: Readonly<Record<TaskState, string>> = {
  DONE: '#009E73',
  FAILED: '#D55E00',
  CANCELLED: '#999999',
  RUNNING: '#0072B2',
  PENDING: '#56B4E9',
};

export const STATE_ORDER: readonly TaskState[] = ['DONE', 'FAILED', 'CANCELLED', 'RUNNING', 'PENDING'];

/** Milliseconds with one decimal below 10 s, seconds above; '' for missing values. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (Math.abs(ms) < 10_000) return `${ms.toFixed(1)} ms`;
  if (Math.abs(ms) < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A duration in the unit that suits it: µs below 1 ms, ms below 10 s, s below 2 min, then min. */
export function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const a = Math.abs(ms);
  if (a > 0 && a < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (a < 10_000) return `${ms.toFixed(1)} ms`;
  if (a < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** The time unit for an axis spanning `spanMs`, and the factor that converts ms into it. */
export function timeUnit(spanMs: number): { unit: string; perMs: number } {
  if (spanMs < 2) return { unit: 'µs', perMs: 1000 };
  if (spanMs < 10_000) return { unit: 'ms', perMs: 1 };
  if (spanMs < 180_000) return { unit: 's', perMs: 1 / 1000 };
  return { unit: 'min', perMs: 1 / 60_000 };
}

/** "1 task", "2 tasks". */
export function plural(n: number, word: string): string {
  return `${fmtInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Aligned plain-text table: header, dashed rule, rows; numeric-looking columns are right-aligned. */
export function plainTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [pad(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(pad)].join('\n');
}

/** HTML table with inline styles only (notebook front ends drop <style> blocks in untrusted output). */
export function htmlTable(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const cell = (tag: string, html: string, i: number) =>
    `<${tag} style="padding:1px 8px;text-align:${rightAlign[i] ? 'right' : 'left'}">${html}</${tag}>`;
  const head = `<tr style="border-bottom:1px solid #ccc">${header.map((h, i) => cell('th', escapeHtml(h), i)).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, i)).join('')}</tr>`).join('');
  return `<table style="border-collapse:collapse;font-size:12px;font-family:monospace">${head}${body}</table>`;
}

/** Coloured state badge for HTML cells. */
export function stateHtml(state: TaskState): string {
  const fg = state === 'PENDING' ? '#333' : '#fff';
  return `<span style="background:${STATE_COLORS[state]};color:${fg};padding:0 4px;border-radius:3px">${state}</span>`;
}

/** First `n` and last `n` items of a long list, plus how many were left out in between. */
export function headTail<T>(items: readonly T[], n: number): { head: T[]; tail: T[]; hidden: number } {
  if (items.length <= 2 * n) return { head: items.slice(), tail: [], hidden: 0 };
  return { head: items.slice(0, n), tail: items.slice(items.length - n), hidden: items.length - 2 * n };
}
