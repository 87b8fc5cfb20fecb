// DuckDB's Node API, loaded with require(). It is CommonJS: imported as an ES module, Node first
// reads the source of each of its 120 files to find the names it exports (cjs-module-lexer), and
// that cost 0.2-0.34 CPU-s of every process start, against 0.09-0.12 required (the same files, the
// same module: outside the bundle, an import elsewhere gets this copy). The values the engine uses are named here;
// types are imported from the package as types, which costs nothing at run time.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type NodeApi = typeof import('@duckdb/node-api');

const require = createRequire(import.meta.url);
const duckdb = (bundled() ?? require('@duckdb/node-api')) as NodeApi;

/**
 * In the build's bundle (dist/bundle, which bin/spelunk.js runs), the package's files in one, as
 * scripts/bundle.ts writes it beside this code: required one by one, its ~190 files cost 60-70
 * CPU-ms more of every start (test/bench/README.md, start-up). The same code: the file is named by
 * the version it was made from, and its native binding is the one the package itself loads
 * (resolved from the package's folder, as chunk-texts.ts finds it). Nowhere else: tests import
 * the package beside src/, and their instances and values must be of the classes this module uses.
 */
function bundled(): NodeApi | undefined {
  const { version } = require('@duckdb/node-api/package.json') as { version: string };
  const file = fileURLToPath(new URL(`duckdb-node-api-${version}.cjs`, import.meta.url));
  return existsSync(file) ? (require(file) as NodeApi) : undefined;
}

export const { DuckDBInstance, DuckDBListType, DuckDBScalarFunction, DuckDBTypeId, JSDuckDBValueConverter, DOUBLE, STRUCT, VARCHAR, listValue, structValue, version } = duckdb;
export type DuckDBInstance = import('@duckdb/node-api').DuckDBInstance;
export type DuckDBTypeId = import('@duckdb/node-api').DuckDBTypeId;
