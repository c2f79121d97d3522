// `npm run bench [area...]`: runs every tests/bench/*.bench.ts (compiled), prints one table, writes results.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchModule, BenchResult } from './types';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort();
  const results: BenchResult[] = [];
  for (const file of files) {
    const area = file.replace(/\.bench\.js$/, '');
    if (wanted.length && !wanted.includes(area)) continue;
    console.error(`running ${area} ...`);
    const mod = require(path.join(__dirname, file)) as BenchModule;
    try {
      results.push(await mod.bench());
    } catch (err) {
      console.error(`${area} failed:`, err);
      process.exitCode = 1;
    }
  }
  printTable(results);
  for (const r of results) for (const n of r.notes ?? []) console.log(`${r.area}: ${n}`);
  const out = path.resolve(__dirname, '../../../tests/bench/results.json');
  const previous = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : {};
  for (const r of results) previous[r.area] = { date: new Date().toISOString(), notes: r.notes, rows: r.rows, data: r.data };
  fs.writeFileSync(out, JSON.stringify(previous, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
}

function printTable(results: BenchResult[]): void {
  const header = ['area', 'case', 'flowbook', 'baseline', 'ratio', 'goal', 'met'];
  const rows = results.flatMap((r) =>
    r.rows.map((x) => [r.area, x.case, x.flowbook, x.baseline, x.ratio, x.goal, x.met === undefined ? '' : x.met ? 'yes' : 'NO']),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of rows) console.log(line(row));
}

main();
