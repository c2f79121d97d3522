// Renders a TaskTimeline as a MimeBundle (text/html + text/plain). Cost is O(shown rows), not O(tasks).
import type { MimeBundle } from '../display';
import type { BlockSummary, TaskRow, TaskTimeline, TimelineCounts } from './timeline';
import { escapeHtml, fmtInt, fmtMs, headTail, htmlTable, plainTable, stateHtml } from './format';

export interface TableRenderOptions {
  /** Show the first and last `maxRows` rows; the rest are summarised as hidden. Default 25. */
  maxRows?: number;
  /** Heading shown above the summary line. */
  title?: string;
  /** Final rendering: says "finished" instead of "elapsed". */
  final?: boolean;
}

const TASK_HEADER = ['#', 'name', 'backend', 'state', 'start', 'end', 'duration', 'done #'];
const TASK_RIGHT = [true, false, false, false, true, true, true, true];
const BLOCK_HEADER = ['workflow', 'state', 'start', 'finish', 'duration', 'tasks', 'done', 'failed'];
const BLOCK_RIGHT = [false, false, true, true, true, true, true, true];

export function summaryLine(counts: TimelineCounts, wall: number, final = false): string {
  const parts = [`${fmtInt(counts.total)} tasks`];
  for (const k of ['running', 'done', 'failed', 'cancelled', 'pending'] as const) parts.push(`${fmtInt(counts[k])} ${k}`);
  parts.push(`${final ? 'wall' : 'elapsed'} ${fmtMs(wall)}`);
  return parts.join(', ');
}

function taskCells(r: TaskRow): string[] {
  const retry = r.attempts > 1 ? ` (x${r.attempts})` : '';
  return [String(r.index), r.name, r.backend, r.state + retry, fmtMs(r.start), fmtMs(r.end), fmtMs(r.duration), r.order === undefined ? '' : String(r.order)];
}

function blockCells(b: BlockSummary): string[] {
  return [b.name, b.state ?? '', fmtMs(b.start), fmtMs(b.end), fmtMs(b.duration), String(b.tasks), String(b.done), String(b.failed)];
}

function hiddenNote(hidden: number, what: string): string {
  return `… ${fmtInt(hidden)} ${what} hidden …`;
}

function taskHtml(r: TaskRow): string[] {
  const c = taskCells(r).map(escapeHtml);
  c[3] = stateHtml(r.state) + (r.attempts > 1 ? ` x${r.attempts}` : '');
  if (r.error) c[1] += ` <span style="color:#d62728" title="${escapeHtml(r.error)}">⚠</span>`;
  return c;
}

function blockHtml(b: BlockSummary): string[] {
  const c = blockCells(b).map(escapeHtml);
  if (b.state) c[1] = stateHtml(b.state);
  return c;
}

/** Plain and HTML rows for one list: first/last `n` items with a "hidden" marker row between them. */
function listRows<T>(items: readonly T[], n: number, text: (x: T) => string[], html: (x: T) => string[], width: number, what: string) {
  const { head, tail, hidden } = headTail(items, n);
  // The note goes in the second column so it does not widen the narrow first one.
  const blank = Array<string>(width - 2).fill('');
  const gapText = hidden ? [['…', hiddenNote(hidden, what), ...blank]] : [];
  const gapHtml = hidden ? [['…', `<i>${hiddenNote(hidden, what)}</i>`, ...blank]] : [];
  return {
    plain: [...head.map(text), ...gapText, ...tail.map(text)],
    html: [...head.map(html), ...gapHtml, ...tail.map(html)],
  };
}

/** The live/final table for a timeline. */
export function renderTable(tl: TaskTimeline, opts: TableRenderOptions = {}): MimeBundle {
  const n = opts.maxRows ?? 25;
  const summary = summaryLine(tl.counts, tl.wall, opts.final);
  const detail = tl.hasDetail;
  const header = detail ? [...TASK_HEADER, 'where / why'] : TASK_HEADER;
  const right = detail ? [...TASK_RIGHT, false] : TASK_RIGHT;
  const rowText = detail ? (r: TaskRow) => [...taskCells(r), r.detail ?? ''] : taskCells;
  const rowHtml = detail ? (r: TaskRow) => [...taskHtml(r), escapeHtml(r.detail ?? '')] : taskHtml;
  const tasks = listRows(tl.tasks, n, rowText, rowHtml, header.length, 'tasks');
  const plain: string[] = [];
  const html: string[] = [];
  if (opts.title) {
    plain.push(opts.title);
    html.push(`<div style="font-weight:bold">${escapeHtml(opts.title)}</div>`);
  }
  plain.push(summary, plainTable(header, tasks.plain, right));
  html.push(`<div style="font-size:12px;margin:2px 0">${escapeHtml(summary)}</div>`, htmlTable(header, tasks.html, right));
  const blocks = tl.blocks();
  if (blocks.length) {
    const b = listRows(blocks, n, blockCells, blockHtml, BLOCK_HEADER.length, 'workflows');
    plain.push('', 'Workflows', plainTable(BLOCK_HEADER, b.plain, BLOCK_RIGHT));
    html.push('<div style="font-size:12px;margin:6px 0 2px;font-weight:bold">Workflows</div>', htmlTable(BLOCK_HEADER, b.html, BLOCK_RIGHT));
  }
  return { 'text/html': `<div class="flowbook-table">${html.join('')}</div>`, 'text/plain': plain.join('\n') };
}
