// Small formatting helpers shared by the tables, the plot summaries and the specs.
import type { TaskState } from '../engine/events';

/** Fixed state colours, used by the HTML tables and the Gantt colour scale so both agree. */
export const STATE_COLORS: Readonly<Record<TaskState, string>> = {
  DONE: '#2ca02c',
  FAILED: '#d62728',
  CANCELLED: '#9e9e9e',
  RUNNING: '#1f77b4',
  PENDING: '#c6dbef',
};

export const STATE_ORDER: readonly TaskState[] = ['DONE', 'FAILED', 'CANCELLED', 'RUNNING', 'PENDING'];

/** Milliseconds with one decimal below 10 s, seconds above; '' for missing values. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (Math.abs(ms) < 10_000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
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
