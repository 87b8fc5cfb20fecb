// Inflating a gzip file member by member, as `gzip -d` does, for files zlib's own gunzip refuses
// or reads only in part: bytes after the last member (a download padded or cut by a tool, S3
// multipart artefacts), a member cut short or damaged. zlib's gunzip fails on the first byte after
// a member that is neither another member nor a zero (losing every member's events), and stops
// without a word at a zero byte, passing over whatever members follow it. Here zero bytes between
// members are padding, passed over (gzip -d stops at them and calls what follows garbage).

import zlib from 'node:zlib';

export interface Members {
  /** The whole members' content, then as much of a cut last member as inflates. */
  content: Buffer;
  /** Zero bytes after members (padding), passed over: a member may follow them. */
  padding: number;
  /** Bytes from the first after the members that is neither zero nor a member's start: not read. */
  trailing: number;
  /** A member cut short (`cut`) or damaged, and the byte it starts at: nothing after it is read. */
  damage?: { at: number; cut: boolean; reason: string };
}

const TRAILER_BYTES = 8;

/** zlib.crc32 arrived in Node 20.15; package.json accepts any Node 20, so older ones compute it here. */
const crc32: (data: Buffer) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32;

let crcTable: Uint32Array | undefined;

export function tableCrc32(data: Buffer): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function gunzipMembers(bytes: Buffer): Members {
  const parts: Buffer[] = [];
  let padding = 0;
  const done = (at: number, damage?: Members['damage']): Members => ({ content: Buffer.concat(parts), padding, trailing: damage ? 0 : bytes.length - at, damage });
  let at = 0;
  while (at < bytes.length) {
    if (at > 0 && bytes[at] === 0) {
      padding++;
      at++;
      continue;
    }
    if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b) return done(at);
    const body = bodyStart(bytes, at);
    if (body === undefined) return done(at, { at, cut: true, reason: 'the compressed data ends early' });
    if (body < 0) return done(at, { at, cut: false, reason: 'unknown compression method' });
    let inflated: { buffer: Buffer; engine: zlib.InflateRaw };
    try {
      // A sync flush gives what a cut stream inflates to, where a finish would throw it away.
      inflated = zlib.inflateRawSync(bytes.subarray(body), { info: true, finishFlush: zlib.constants.Z_SYNC_FLUSH }) as unknown as typeof inflated;
    } catch (err) {
      return done(at, { at, cut: false, reason: (err as Error).message });
    }
    const end = body + inflated.engine.bytesWritten;
    if (end + TRAILER_BYTES > bytes.length) {
      parts.push(inflated.buffer);
      return done(at, { at, cut: true, reason: 'the compressed data ends early' });
    }
    // The trailer checks the member whole: its CRC-32 and length modulo 2^32.
    if (crc32(inflated.buffer) !== bytes.readUInt32LE(end) || (inflated.buffer.length >>> 0) !== bytes.readUInt32LE(end + 4)) {
      return done(at, { at, cut: false, reason: 'its check sum does not match its content' });
    }
    parts.push(inflated.buffer);
    at = end + TRAILER_BYTES;
  }
  return done(at);
}

/** Where a member's compressed data starts; undefined when its header is cut, -1 when not deflate. */
function bodyStart(bytes: Buffer, at: number): number | undefined {
  if (at + 2 < bytes.length && bytes[at + 2] !== 8) return -1;
  if (at + 10 > bytes.length) return undefined;
  const flags = bytes[at + 3]!;
  let i = at + 10;
  if (flags & 4) {
    if (i + 2 > bytes.length) return undefined;
    i += 2 + bytes.readUInt16LE(i);
  }
  // A file name, then a comment, each ended by a zero byte.
  for (const flag of [8, 16]) {
    if (!(flags & flag)) continue;
    const zero = bytes.indexOf(0, i);
    if (zero < 0) return undefined;
    i = zero + 1;
  }
  if (flags & 2) i += 2;
  return i >= bytes.length ? undefined : i;
}

/**
 * What the load says about a file read member by member, `records` the records it gave; `cutLine`:
 * the JSON line the cut runs through held a wrapper, whose whole events were read (load-stream.ts).
 */
export function describeMembers(m: Members, records: number, cutLine?: { line: number; events: number }): { kind: 'partial' | 'note'; reason: string } | undefined {
  const read = `${records} record(s) read`;
  if (m.damage?.cut) {
    const cut = cutLine
      ? `line ${cutLine.line}, a {"Records":[...]} wrapper the cut runs through, gave its ${cutLine.events} whole event(s) before the cut, the rest of it was cut; nothing after it is read`
      : 'an event the cut runs through is not read, nor anything after it';
    return { kind: 'partial', reason: `truncated gzip (the compressed data ends early): ${read} from the part before the cut; ${cut}` };
  }
  if (m.damage) {
    return { kind: 'partial', reason: `corrupt gzip from byte ${m.damage.at} (${m.damage.reason}): ${read} from the members before it; the rest is not read` };
  }
  if (m.trailing > 0) {
    return { kind: 'partial', reason: `${m.trailing} byte(s) after the last gzip member are not gzip data and were ignored, as gzip -d ignores them ("trailing garbage"): ${read} from the members before them` };
  }
  if (m.padding > 0) return { kind: 'note', reason: `${m.padding} zero byte(s) after gzip members passed over (padding): ${read}` };
  return undefined;
}
