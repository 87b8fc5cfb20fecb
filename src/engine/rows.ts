// Turning DuckDB results into JS rows. The generic path (the client's value converter, one call per
// cell) costs ~8 µs a row on a 17-column result: 1.6 s for the 200k events of a busy region,
// three times DuckDB's own time for the search. When every column has a type JSON can carry,
// DuckDB serialises each row as one JSON array instead and V8's JSON.parse builds the values,
// several times faster for the same values.

import type { DuckDBConnection, DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { DuckDBListType, DuckDBTypeId, JSDuckDBValueConverter } from './duckdb.js';
import { ident } from '../compiler/sql.js';
import { chunkTexts, type TextsSeen } from './chunk-texts.js';
import { ROW_VALUES, setField, type Row, type Rows, type Value } from './types.js';

export interface RowDecoder {
  /** The SQL to run: the search itself, or the search wrapped to give one JSON text per row. */
  sql: string;
  decode(chunk: DuckDBDataChunk): Row[];
}

/** Types whose JSON text reads back as the value the generic converter gives. */
const PLAIN = new Set<DuckDBTypeId>([
  DuckDBTypeId.VARCHAR,
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.SQLNULL,
]);
const FLOATING = new Set<DuckDBTypeId>([DuckDBTypeId.DOUBLE, DuckDBTypeId.FLOAT]);

/** DuckDB writes NaN and infinities as bare words JSON.parse refuses: they travel as text. */
const NON_FINITE: Record<string, number> = { nan: NaN, '-nan': NaN, inf: Infinity, '-inf': -Infinity };

/**
 * SQL giving column `ref` as a JSON value, or undefined when its type needs the generic path.
 * JSON-typed columns are cast to text first: a user who tables `userIdentity` sees its text, as
 * with the converter, not an object.
 */
function jsonCell(type: DuckDBType, ref: string): string | undefined {
  if (type.alias === 'JSON') return `to_json(${ref}::VARCHAR)`;
  if (PLAIN.has(type.typeId)) return ref;
  if (FLOATING.has(type.typeId)) return `CASE WHEN isnan(${ref}) OR isinf(${ref}) THEN to_json(${ref}::VARCHAR) ELSE to_json(${ref}) END`;
  if (type instanceof DuckDBListType) {
    const item = type.valueType;
    if (item.alias === 'JSON') return `to_json(${ref}::VARCHAR[])`;
    if (item.typeId === DuckDBTypeId.VARCHAR || (PLAIN.has(item.typeId) && item.typeId !== DuckDBTypeId.SQLNULL)) return ref;
  }
  return undefined;
}

export function toValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(toValue);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

/**
 * A function making a row object of the values of `columns`, in order. It is an object literal
 * compiled for these columns: V8 then makes each row from one template instead of adding 15
 * properties one at a time, which was a fifth of decoding 330k rows (0.33 against 0.25 CPU-s
 * with JSON.parse). The names enter the code only as JSON string literals, which JavaScript reads
 * back as exactly those strings (a name given twice: the last value, in the first one's place, as
 * assignments give). `__proto__`, which a literal would take as the prototype, is set by setField.
 */
function rowMaker(columns: string[]): (values: Value[]) => Row {
  if (columns.includes('__proto__')) {
    return (values) => {
      const row: Row = {};
      for (let i = 0; i < columns.length; i++) setField(row, columns[i]!, values[i]!);
      return row;
    };
  }
  return new Function('v', `return {${columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(', ')}};`) as (values: Value[]) => Row;
}

/**
 * Plans how to read the result of `sql` (whose output columns are `columns`, in order). Preparing
 * the statement gives the column types without running it.
 */
export async function rowDecoder(conn: DuckDBConnection, sql: string, columns: string[], keyed?: { sql: string; tail: string }): Promise<RowDecoder> {
  const generic: RowDecoder = {
    sql,
    decode: (chunk) =>
      chunk.convertRows(JSDuckDBValueConverter).map((values) => {
        const row: Row = {};
        columns.forEach((c, i) => setField(row, c, toValue(values[i])));
        return row;
      }),
  };
  const prepared = await conn.prepare(sql);
  let types: DuckDBType[];
  try {
    types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i));
  } finally {
    prepared.destroySync();
  }
  const count = types.length;
  if (count === 0 || count !== columns.length) return generic;
  const refs = Array.from({ length: count }, (_, i) => ident(`c${i}`));
  const cells: string[] = [];
  const floating: number[] = [];
  for (let i = 0; i < count; i++) {
    const cell = jsonCell(types[i]!, refs[i]!);
    if (cell === undefined) return generic;
    if (FLOATING.has(types[i]!.typeId)) floating.push(i);
    cells.push(cell);
  }
  const toRow = rowMaker(columns);
  const unique = new Set(columns).size === columns.length;
  return {
    // Each row's text made before the final sort (on every thread, and one column to sort
    // instead of all), or, with no unordered form of the search, over the sorted rows: a
    // projection over the search keeps its order (DuckDB streams it off the final sort).
    sql: keyed
      ? `SELECT json_array(${cells.join(', ')})::VARCHAR AS "row"\nFROM (\n${keyed.sql}\n) AS r(${refs.join(', ')}, "__seq")\nORDER BY "__seq"${keyed.tail}`
      : `SELECT json_array(${cells.join(', ')})::VARCHAR AS "row"\nFROM (\n${sql}\n) AS r(${refs.join(', ')})`,
    decode: (chunk) => {
      const seen: TextsSeen = { plain: false };
      const texts = chunkTexts(chunk, seen) ?? chunk.getColumnVector(0).toArray();
      // The count once: each read of rowCount is a call into the native binding.
      const n = chunk.rowCount;
      const rows: Rows = new Array(n);
      const all: Value[][] = new Array(n);
      for (let j = 0; j < n; j++) {
        const values = JSON.parse(texts[j] as string) as Value[];
        for (const i of floating) {
          const v = values[i];
          if (typeof v === 'string') values[i] = NON_FINITE[v] ?? Number(v);
        }
        all[j] = values;
        rows[j] = toRow(values);
      }
      // JSON texts of ASCII with no escapes: JSON.parse refuses a raw control character, so no
      // value holds one (nor DEL, nor any character past ASCII).
      if (unique) rows[ROW_VALUES] = { columns, values: all, ...(seen.plain ? { plain: true } : {}) };
      return rows;
    },
  };
}
