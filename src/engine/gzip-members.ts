// Inflating a gzip file member by member, as `gzip -d` does, for files zlib's own gunzip refuses
// or reads only in part: bytes after the last member (a download padded or cut by a tool, S3
// multipart artefacts), a member cut short or damaged. zlib's gunzip fails on the first byte after
// a member that is neither another member nor a zero (losing every member's events), and stops
// without a word at a zero byte, passing over whatever members follow it. Here zero bytes between
// members are padding, passed over (gzip -d stops at them and calls what follows garbage).

import zlib from 'node:zlib';

/** What reading a file member by member found, besides the content. */
export interface MembersState {
  /** Zero bytes after members (padding), passed over: a member may follow them. */
  padding: number;
  /** Bytes from the first after the members that is neither zero nor a member's start: not read. */
  trailing: number;
  /**
   * A member cut short (`cut`) or damaged, and the byte it starts at: nothing after it is read.
   * `read`: its content was handed on before the damage showed (a member larger than HOLD_BYTES).
   */
  damage?: { at: number; cut: boolean; reason: string; read?: boolean };
}

interface Members extends MembersState {
  /** The whole members' content, then as much of a cut last member as inflates. */
  content: Buffer;
}

const TRAILER_BYTES = 8;
const CUT = 'the compressed data ends early';
/**
 * A member's content is held until its trailer is checked, up to this much: past it, it is handed
 * on as it inflates (as gzip -d writes it) and a failed check is said afterwards. The whole file
 * was held inflated: a 100 MB .json.gz with bytes after its member, about 1.5 GB.
 */
const HOLD_BYTES = 16 * 1024 * 1024;
/** The inflated content is handed on in parts of this size. */
const PART_BYTES = 1024 * 1024;

/** zlib.crc32 arrived in Node 20.15; package.json accepts any Node 20, so older ones compute it here. */
const crc32: (data: Buffer, value: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (data, value) => zlib.crc32(data, value) : tableCrc32;

let crcTable: Uint32Array | undefined;

/** The CRC-32 of `data`, continued from `value` (the CRC-32 of what came before it). */
export function tableCrc32(data: Buffer, value = 0): number {
  const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  }));
  let crc = (value ^ 0xffffffff) >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Reads a gzip file's members in order, as gzip -d does, handing their content on in parts
 * (`parts()`): what is held at once is bounded by HOLD_BYTES (`hold`), not by the file's size.
 * Its state is complete once every part is read.
 */
export class MemberReader implements MembersState {
  padding = 0;
  trailing = 0;
  damage?: MembersState['damage'];
  /** Content bytes inflated so far. */
  inflated = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly hold = HOLD_BYTES,
  ) {}

  async *parts(): AsyncGenerator<Buffer> {
    const { bytes } = this;
    let at = 0;
    while (at < bytes.length) {
      if (at > 0 && bytes[at] === 0) {
        this.padding++;
        at++;
        continue;
      }
      if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b) {
        this.trailing = bytes.length - at;
        return;
      }
      const body = bodyStart(bytes, at);
      if (body === undefined) return void (this.damage = { at, cut: true, reason: CUT });
      if (body < 0) return void (this.damage = { at, cut: false, reason: 'unknown compression method' });
      // A sync flush gives what a cut stream inflates to, where a finish would throw it away.
      const inflate = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize: PART_BYTES });
      inflate.end(bytes.subarray(body));
      let held: Buffer[] = [];
      let heldBytes = 0;
      let handedOn = false;
      let crc = 0;
      let length = 0;
      try {
        for await (const part of inflate as AsyncIterable<Buffer>) {
          crc = crc32(part, crc);
          length += part.length;
          this.inflated += part.length;
          if (handedOn) {
            yield part;
            continue;
          }
          held.push(part);
          heldBytes += part.length;
          if (heldBytes > this.hold) {
            handedOn = true;
            yield* held;
            held = [];
          }
        }
      } catch (err) {
        return void (this.damage = { at, cut: false, reason: (err as Error).message, read: handedOn || undefined });
      }
      // The stream stops at the end of the member's compressed data: what it took is the member's.
      const end = body + inflate.bytesWritten;
      if (end + TRAILER_BYTES > bytes.length) {
        yield* held;
        return void (this.damage = { at, cut: true, reason: CUT });
      }
      // The trailer checks the member whole: its CRC-32 and length modulo 2^32.
      if (crc !== bytes.readUInt32LE(end) || (length >>> 0) !== bytes.readUInt32LE(end + 4)) {
        return void (this.damage = { at, cut: false, reason: 'its check sum does not match its content', read: handedOn || undefined });
      }
      yield* held;
      at = end + TRAILER_BYTES;
    }
  }
}

/** Every member's content at once: for the start of a file (sniffing) and tests, never a whole large file. */
export async function gunzipMembers(bytes: Buffer, hold?: number): Promise<Members> {
  const reader = new MemberReader(bytes, hold);
  const parts: Buffer[] = [];
  for await (const part of reader.parts()) parts.push(part);
  return { content: Buffer.concat(parts), padding: reader.padding, trailing: reader.trailing, damage: reader.damage };
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
export function describeMembers(m: MembersState, records: number, cutLine?: { line: number; events: number }): { kind: 'partial' | 'note'; reason: string } | undefined {
  const read = `${records} record(s) read`;
  if (m.damage?.cut) {
    const cut = cutLine
      ? `line ${cutLine.line}, a {"Records":[...]} wrapper the cut runs through, gave its ${cutLine.events} whole event(s) before the cut, the rest of it was cut; nothing after it is read`
      : 'an event the cut runs through is not read, nor anything after it';
    return { kind: 'partial', reason: `truncated gzip (the compressed data ends early): ${read} from the part before the cut; ${cut}` };
  }
  if (m.damage?.read) {
    return {
      kind: 'partial',
      reason: `corrupt gzip from byte ${m.damage.at} (${m.damage.reason}): ${read}, with the events of the member there, too large to hold until its check (over ${HOLD_BYTES / 1024 / 1024} MB inflated): they were read before the damage showed and may be wrong; the rest is not read`,
    };
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
