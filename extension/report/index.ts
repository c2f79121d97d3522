// Public surface of the reporting layer: timelines, live tables, Vega-Lite specs, SVG and plot bundles.
export { TaskTimeline, isFinal } from './timeline';
export type { TaskRow, TimelineCounts, BlockSummary, TimelineOptions } from './timeline';
export { LiveTable, realClock } from './live-table';
export type { Clock, LiveTableOptions, TaskSource } from './live-table';
export { renderTable, summaryLine } from './table-render';
export type { TableRenderOptions } from './table-render';
export { ganttSpec, barsSpec, VEGALITE_SCHEMA } from './specs';
export type { GanttOptions, BarsOptions, VegaLiteSpec } from './specs';
export { renderSvg, loadVega } from './svg';
export { plot, gantt, bars, vegalite, ganttSummary, VEGALITE_MIME } from './plot';
export type { GanttInput } from './plot';
export { summaryTable } from './compare-table';
export { summarize } from './stats';
export type { RunSample, RunStats } from './stats';
export { STATE_COLORS } from './format';
