// The build's second step (npm run build): tsc's output (dist/src, dist/grammar) bundled into
// dist/bundle, which bin/spelunk.js runs. Node 20's ES module loader spends about a millisecond of
// CPU on each module it resolves, reads and links; the command line's ~210 modules cost ~0.2 CPU-s
// of every process start that way (test/bench/README.md, start-up). The bundle is the same
// JavaScript in a few files: each lazy import (hunt, the REPL, content, Athena, Trino) stays a
// chunk of its own, loaded when used, and the packages stay packages, loaded by Node as before.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
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
// A warning (a dynamic import it could not follow, say) would be a bundle that differs from dist/.
if (result.warnings.length > 0) {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  throw new Error(`bundle: ${result.warnings.length} warning(s); dist/bundle removed`);
}
