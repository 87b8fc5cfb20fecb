// The row texts of a result chunk's first column (VARCHAR) with one native read per run of rows,
// not one per row. The client's getItem copies each string out of DuckDB with a native call and
// decodes it with another: 0.3 of the ~0.85 CPU-s JS spent on the 330k rows of a location search.
// DuckDB writes a chunk's long strings one after another in its string heap (a 2048-row chunk of
// row texts holds about 8 runs), so each run is copied out and decoded once.
//
// Exact and memory-safe by construction: a run is only rows whose data pointers are contiguous
// (each row's data starts where the previous one's ends), so the bytes read are exactly the
// rows' own bytes, nothing between or around them.
import { createRequire } from 'node:module';
import type { DuckDBDataChunk } from '@duckdb/node-api';

/** The few functions of the client's own native binding this needs (the one node-api loaded). */
interface Bindings {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  vector_get_data(vector: unknown, byteCount: number): Uint8Array;
  vector_get_validity(vector: unknown, byteCount: number): Uint8Array | null;
  get_data_from_pointer(buffer: ArrayBuffer, pointerOffset: number, byteCount: number): Uint8Array;
}

/** node-api's binding, resolved from node-api's folder so that it is the very same instance. */
function loadBindings(): Bindings | undefined {
  try {
    const require = createRequire(import.meta.url);
    const fromApi = createRequire(require.resolve('@duckdb/node-api'));
    const b = fromApi('@duckdb/node-bindings') as Partial<Bindings> & { default?: Partial<Bindings> };
    const f = (b.get_data_from_pointer ? b : b.default) ?? {};
    return f.data_chunk_get_vector && f.vector_get_data && f.vector_get_validity && f.get_data_from_pointer ? (f as Bindings) : undefined;
  } catch {
    return undefined;
  }
}

const bindings = loadBindings();
const utf8 = new TextDecoder();
/** A DuckDB string_t: 4 bytes of length, then 12 bytes inline or 4 of prefix and an 8-byte pointer. */
const STRING_T = 16;
const INLINE = 12;

/** What chunkTexts found of all the texts: each is ASCII with no backslash and no DEL. */
export interface TextsSeen {
  plain: boolean;
}

const plainAscii = (text: string): boolean => text.indexOf('\\') < 0 && text.indexOf('\x7f') < 0;

/**
 * The texts of column 0 (VARCHAR, no nulls) of `chunk`, or undefined when this cannot read them
 * (no binding, a null): the caller then uses the client's getItem. `seen`, when given, is told
 * whether every text is plain ASCII (a run's one search for each of two characters, not a test
 * of each value for controls later).
 */
export function chunkTexts(chunk: DuckDBDataChunk, seen?: TextsSeen): string[] | undefined {
  if (!bindings) return undefined;
  const n = chunk.rowCount;
  const vector = bindings.data_chunk_get_vector(chunk.chunk, 0);
  const validity = bindings.vector_get_validity(vector, Math.ceil(n / 64) * 8);
  if (validity) for (let i = 0; i < n; i++) if (((validity[i >> 3]! >> (i & 7)) & 1) === 0) return undefined;
  const data = bindings.vector_get_data(vector, n * STRING_T);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const length = (k: number): number => view.getUint32(k * STRING_T, true);
  // Pointers below 2^53 (every user-space address on 64-bit systems) are exact as numbers.
  const pointer = (k: number): number => view.getUint32(k * STRING_T + 8, true) + view.getUint32(k * STRING_T + 12, true) * 4294967296;
  const texts: string[] = new Array(n);
  let plain = true;
  let j = 0;
  while (j < n) {
    const first = length(j);
    if (first <= INLINE) {
      const text = utf8.decode(new Uint8Array(data.buffer, data.byteOffset + j * STRING_T + 4, first));
      if (seen) plain &&= text.length === first && plainAscii(text);
      texts[j] = text;
      j++;
      continue;
    }
    let end = j + 1;
    let total = first;
    let next = pointer(j) + first;
    for (; end < n; end++) {
      const len = length(end);
      if (len <= INLINE || pointer(end) !== next) break;
      total += len;
      next += len;
    }
    const bytes = bindings.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + j * STRING_T + 8, total);
    const text = utf8.decode(bytes);
    let at = 0;
    // As many characters as bytes: every character is one byte, so byte offsets are text offsets.
    const ascii = text.length === total;
    if (seen) plain &&= ascii && plainAscii(text);
    for (let k = j; k < end; k++) {
      const len = length(k);
      texts[k] = ascii ? text.slice(at, at + len) : utf8.decode(bytes.subarray(at, at + len));
      at += len;
    }
    j = end;
  }
  if (seen) seen.plain = plain;
  return texts;
}
