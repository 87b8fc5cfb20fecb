// The build's second step (npm run build): tsc's output (dist/src, dist/grammar) bundled into
// dist/bundle, which bin/spelunk.js runs. Node 20's ES module loader spends about a millisecond of
// CPU on each module it resolves, reads and links; the command line's ~210 modules cost ~0.2 CPU-s
// of every process start that way (test/bench/README.md, start-up). The bundle is the same
// JavaScript in a few files: each lazy import (hunt, the REPL, content, Athena, Trino) stays a
// chunk of its own, loaded when used, and the packages stay packages, loaded by Node as before
// (but for @duckdb/node-api's JavaScript, below).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');

rmSync(BUNDLE_DIR, { recursive: true, force: true });
const result = await build({
  entryPoints: { spelunk: join(ROOT, 'dist', 'src', 'cli', 'main.js') },
  outdir: BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
// @duckdb/node-api's ~190 CommonJS files in one (engine/duckdb.ts requires it when it is beside
// it, named by the version it was made from). Each of those files requires the native binding
// from the package's folder; here the binding is required from there too, at run time, so that
// it is the one instance the package and chunk-texts.ts load.
const require = createRequire(import.meta.url);
const apiVersion = (require('@duckdb/node-api/package.json') as { version: string }).version;
const api = await build({
  entryPoints: [require.resolve('@duckdb/node-api')],
  outfile: join(BUNDLE_DIR, `duckdb-node-api-${apiVersion}.cjs`),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [{
    name: 'binding-from-node-api',
    setup(b) {
      b.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: 'binding', namespace: 'binding-from-node-api' }));
      b.onLoad({ filter: /.*/, namespace: 'binding-from-node-api' }, () => ({
        // The name in a variable: esbuild leaves a require.resolve of it to run time.
        contents: "const api = '@duckdb/node-api'; module.exports = require('node:module').createRequire(require.resolve(api))('@duckdb/node-bindings');",
        loader: 'js',
      }));
    },
  }],
});
// A warning (a dynamic import it could not follow, say) would be a bundle that differs from dist/.
if (result.warnings.length + api.warnings.length > 0) {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  throw new Error(`bundle: ${result.warnings.length + api.warnings.length} warning(s); dist/bundle removed`);
}
