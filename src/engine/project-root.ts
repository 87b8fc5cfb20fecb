// Where spelunk's own files are, in a module of its own: `spelunk --version` reads package.json
// through it without loading the engine.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * spelunk's own folder (queries/, fixtures/, package.json): the first folder above this module's
 * that holds a package.json. The module runs from src/engine (tests), dist/src/engine (tsc's
 * output) or dist/bundle (the build's bundle, bin/spelunk.js), each at another depth.
 */
export const PROJECT_ROOT = packageFolder(dirname(fileURLToPath(import.meta.url)));

function packageFolder(from: string): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error(`spelunk: no package.json above ${from}`);
}
