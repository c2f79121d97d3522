// Public surface of the reporting layer: timelines, live tables, Vega-Lite specs, SVG/PNG and plot bundles, results.
export { TaskTimeline, isFinal, cleanError } from './timeline';
export type { TaskRow, TimelineCounts, BlockSummary, TimelineOptions } from './timeline';
export { LiveTable, realClock } from './live-table';
export type { Clock, LiveTableOptions, TaskSource, LoopHold } from './live-table';
export { renderTable, summaryLine } from './table-render';
export type { TableRenderOptions } from './table-render';
export { ganttSpec, streamSpec, barsSpec, rowLabel, VEGALITE_SCHEMA } from './specs';
export type { GanttOptions, BarsOptions, VegaLiteSpec } from './specs';
export { renderSvg, renderPng, loadVega, IMAGE_WIDTH } from './svg';
export { plot, gantt, stream, bars, barsText, vegalite, chartBundle, ganttSummary, timingSpec, chooseView, STREAM_ABOVE, VEGALITE_MIME } from './plot';
export type { GanttInput, PlotOptions, PlotView } from './plot';
export { assignLanes } from './lanes';
export type { Lane } from './lanes';
export { summaryTable } from './compare-table';
export { summarize } from './stats';
export type { RunSample, RunStats } from './stats';
export { STATE_COLORS, fmtDuration } from './format';
