#!/usr/bin/env node
import { statSync } from 'node:fs';

// React (under Ink) loads its development build unless NODE_ENV says production: about twice the
// render cost of every keystroke's frame, and checks meant for a UI's developers. A NODE_ENV the
// user set is kept. Set before main.js is imported: React reads it once, when first loaded.
process.env.NODE_ENV ??= 'production';

// The build's bundle of dist/ (scripts/bundle.ts: ~0.2 CPU-s less of every start than dist/'s
// ~210 modules), unless it is older than dist/: a `tsc` run alone rewrites dist/ and not it.
const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const main = mtime('../dist/src/cli/main.js');
await import(main < 0 || mtime('../dist/bundle/spelunk.js') >= main ? '../dist/bundle/spelunk.js' : '../dist/src/cli/main.js');
