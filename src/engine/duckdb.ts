// DuckDB's Node API, loaded with require(). It is CommonJS: imported as an ES module, Node first
// reads the source of each of its 120 files to find the names it exports (cjs-module-lexer), and
// that cost 0.2-0.34 CPU-s of every process start, against 0.09-0.12 required (the same files, the
// same module: an import elsewhere gets this copy). The values the engine uses are named here;
// types are imported from the package as types, which costs nothing at run time.
import { createRequire } from 'node:module';

type NodeApi = typeof import('@duckdb/node-api');

const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as NodeApi;

export const { DuckDBInstance, DuckDBListType, DuckDBScalarFunction, DuckDBTypeId, JSDuckDBValueConverter, DOUBLE, STRUCT, VARCHAR, listValue, structValue, version } = duckdb;
export type DuckDBInstance = import('@duckdb/node-api').DuckDBInstance;
export type DuckDBTypeId = import('@duckdb/node-api').DuckDBTypeId;
