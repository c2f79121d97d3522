// Renders a TaskTimeline as a MimeBundle (text/html + text/plain). Cost is O(shown rows), not O(tasks).
import type { MimeBundle } from '../display';
import type { BlockSummary, TaskRow, TaskTimeline, TimelineCounts } from './timeline';
import { escapeHtml, fmtDuration, fmtInt, fmtMs, headTail, htmlTable, plainTable, plural, stateHtml } from './format';

export interface TableRenderOptions {
  /** Show the first and last `maxRows` rows; the rest are summarised as hidden. Default 25. */
  maxRows?: number;
  /** Heading shown above the summary line. */
  title?: string;
  /** Final rendering: says "wall" instead of "elapsed". */
  final?: boolean;
  /** A line under the summary, e.g. the event-loop hold note of the live table. */
  note?: string;
}

const TASK_HEADER = ['#', 'name', 'backend', 'state', 'start', 'end', 'duration', 'done #', 'note'];
const TASK_RIGHT = [true, false, false, false, true, true, true, true, false];
const BLOCK_HEADER = ['workflow', 'state', 'start', 'finish', 'duration', 'tasks', 'done', 'failed'];
const BLOCK_RIGHT = [false, false, true, true, true, true, true, true];
const NOTE_CHARS = 100;

/** e.g. "15 tasks, 0 running, 14 done, 1 failed, 0 cancelled, 0 pending, wall 205.8 ms (first task started at 12.1 ms)". */
export function summaryLine(counts: TimelineCounts, wall: number, final = false, firstStart?: number): string {
  const parts = [plural(counts.total, 'task')];
  for (const k of ['running', 'done', 'failed', 'cancelled', 'pending'] as const) parts.push(`${fmtInt(counts[k])} ${k}`);
  parts.push(`${final ? 'wall' : 'elapsed'} ${fmtDuration(wall)}`);
  const line = parts.join(', ');
  return firstStart === undefined ? line : `${line} (first task started at ${fmtDuration(firstStart)})`;
}

/** Why a task never started, else the first line of its error, shortened. */
function noteOf(r: TaskRow): string {
  const text = r.reason ?? r.error?.split('\n')[0] ?? '';
  return text.length > NOTE_CHARS ? `${text.slice(0, NOTE_CHARS - 1)}…` : text;
}

function taskCells(r: TaskRow, workers: boolean): string[] {
  const retry = r.attempts > 1 ? ` (x${r.attempts})` : '';
  const backend = workers && r.slot ? `${r.backend} w${r.slot.worker}` : r.backend;
  return [String(r.index), r.name, backend, r.state + retry, fmtMs(r.start), fmtMs(r.end), fmtMs(r.duration), r.order === undefined ? '' : String(r.order), noteOf(r)];
}

function blockCells(b: BlockSummary): string[] {
  return [b.name, b.state ?? '', fmtMs(b.start), fmtMs(b.end), fmtMs(b.duration), String(b.tasks), String(b.done), String(b.failed)];
}

function hiddenNote(hidden: number, what: string): string {
  return `… ${fmtInt(hidden)} ${what} hidden …`;
}

function taskHtml(r: TaskRow, workers: boolean): string[] {
  const c = taskCells(r, workers).map(escapeHtml);
  c[3] = stateHtml(r.state) + (r.attempts > 1 ? ` x${r.attempts}` : '');
  if (r.error) c[8] = `<span title="${escapeHtml(r.error)}">${c[8]}</span>`;
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
  const summary = summaryLine(tl.counts, tl.wall, opts.final, tl.firstStart);
  const workers = tl.hasSlots;
  const detail = tl.hasDetail;
  const header = detail ? [...TASK_HEADER, 'where / why'] : TASK_HEADER;
  const right = detail ? [...TASK_RIGHT, false] : TASK_RIGHT;
  const rowText = (r: TaskRow) => (detail ? [...taskCells(r, workers), r.detail ?? ''] : taskCells(r, workers));
  const rowHtml = (r: TaskRow) => (detail ? [...taskHtml(r, workers), escapeHtml(r.detail ?? '')] : taskHtml(r, workers));
  const tasks = listRows(tl.tasks, n, rowText, rowHtml, header.length, 'tasks');
  const plain: string[] = [];
  const html: string[] = [];
  if (opts.title) {
    plain.push(opts.title);
    html.push(`<div style="font-weight:bold">${escapeHtml(opts.title)}</div>`);
  }
  plain.push(summary);
  html.push(`<div style="font-size:12px;margin:2px 0">${escapeHtml(summary)}</div>`);
  if (opts.note) {
    plain.push(opts.note);
    html.push(`<div style="font-size:12px;margin:2px 0;color:#a0522d">${escapeHtml(opts.note)}</div>`);
  }
  plain.push(plainTable(header, tasks.plain, right));
  html.push(htmlTable(header, tasks.html, right));
  const blocks = tl.blocks();
  if (blocks.length) {
    const b = listRows(blocks, n, blockCells, blockHtml, BLOCK_HEADER.length, 'workflows');
    plain.push('', 'Workflows', plainTable(BLOCK_HEADER, b.plain, BLOCK_RIGHT));
    html.push('<div style="font-size:12px;margin:6px 0 2px;font-weight:bold">Workflows</div>', htmlTable(BLOCK_HEADER, b.html, BLOCK_RIGHT));
  }
  return { 'text/html': `<div class="flowbook-table">${html.join('')}</div>`, 'text/plain': plain.join('\n') };
}
