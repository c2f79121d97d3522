#!/usr/bin/env node
// Renders the kernel logo (assets/logo-32x32.png, logo-64x64.png) with no dependency: a small DAG (three task
// nodes feeding a fourth) on a rounded square, anti-aliased by 4x4 supersampling, written as an RGBA PNG.
// Run: node scripts/make-logo.js
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const BG = [32, 84, 147];
const FG = [255, 255, 255];
const ACCENT = [255, 196, 61];
// Shapes in a unit square: edges (thick segments), then nodes (discs), painted in order.
const edges = [[[0.27, 0.27], [0.73, 0.5]], [[0.27, 0.5], [0.73, 0.5]], [[0.27, 0.73], [0.73, 0.5]]];
const nodes = [[0.27, 0.27, FG], [0.27, 0.5, FG], [0.27, 0.73, FG], [0.73, 0.5, ACCENT]];

function distToSegment(px, py, [[ax, ay], [bx, by]]) {
  const [dx, dy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function colourAt(x, y) {
  // rounded square: corner radius 0.2
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if (Math.hypot(x - cx, y - cy) > r) return null;
  let c = BG;
  if (edges.some((e) => distToSegment(x, y, e) < 0.035)) c = FG;
  for (const [nx, ny, nc] of nodes) if (Math.hypot(x - nx, y - ny) < 0.1) c = nc;
  return c;
}

function render(size) {
  const S = 4;
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = colourAt((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (c) (r += c[0], g += c[1], b += c[2], a++);
        }
      }
      const o = 1 + x * 4;
      if (a) [row[o], row[o + 1], row[o + 2]] = [r / a, g / a, b / a].map(Math.round);
      row[o + 3] = Math.round((255 * a) / (S * S));
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(w, h, raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const out = path.join(__dirname, '..', 'assets');
fs.mkdirSync(out, { recursive: true });
for (const size of [32, 64]) fs.writeFileSync(path.join(out, `logo-${size}x${size}.png`), render(size));
