// Worker entry points must be compiled JS; under ts-jest __dirname is the .ts folder, so fall back to dist/.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function workerPath(base: string): string {
  const here = path.join(__dirname, `${base}.js`);
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '../../dist/extension/backends', `${base}.js`);
  if (fs.existsSync(built)) return built;
  throw new Error(`worker entry ${base}.js not found next to ${__dirname} nor in dist/; run \`npm run build\``);
}
