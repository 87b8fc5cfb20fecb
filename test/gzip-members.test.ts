// Inflating gzip member by member (gzip-members.ts): what `gzip -d` recovers, and what is left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { constants, crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeMembers, gunzipMembers, MemberReader, tableCrc32 } from '../src/engine/gzip-members.js';

const a = gzipSync('{"a":1}\n');
const b = gzipSync('{"b":2}\n');

/** What gzip -d writes for `bytes` (it exits 2 with a warning on trailing garbage). */
function gzipD(bytes: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gzip-members-'));
  try {
    writeFileSync(path.join(dir, 'f.gz'), bytes);
    try {
      return execFileSync('gzip', ['-dc', path.join(dir, 'f.gz')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    } catch (err) {
      return String((err as { stdout: Buffer }).stdout);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('gunzipMembers', () => {
  it('reads every member before trailing garbage, as gzip -d does, and counts the bytes left', async () => {
    const bytes = Buffer.concat([a, b, Buffer.from('GARBAGE!')]);
    const m = await gunzipMembers(bytes);
    expect(m).toMatchObject({ padding: 0, trailing: 8, damage: undefined });
    expect(m.content.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(m.content.toString()).toBe(gzipD(bytes));
  });

  it('passes over zero padding between and after members (gzip -d stops at it)', async () => {
    const m = await gunzipMembers(Buffer.concat([a, Buffer.alloc(3), b, Buffer.alloc(5)]));
    expect(m).toMatchObject({ padding: 8, trailing: 0, damage: undefined });
    expect(m.content.toString()).toBe('{"a":1}\n{"b":2}\n');
  });

  it('reads a member with a file name and a comment in its header', async () => {
    // FNAME and FCOMMENT set: each a zero-ended string before the compressed data.
    const named = Buffer.concat([a.subarray(0, 3), Buffer.from([0x18]), a.subarray(4, 10), Buffer.from('f.json\0note\0'), a.subarray(10)]);
    expect((await gunzipMembers(Buffer.concat([named, b]))).content.toString()).toBe('{"a":1}\n{"b":2}\n');
  });

  it('says where a member is cut short or damaged, keeping the members before it', async () => {
    const cut = await gunzipMembers(Buffer.concat([a, b.subarray(0, b.length - 3)]));
    expect(cut.damage).toEqual({ at: a.length, cut: true, reason: 'the compressed data ends early' });
    expect(cut.content.toString()).toBe('{"a":1}\n{"b":2}\n');
    const damaged = Buffer.from(b);
    damaged[damaged.length - 8]! ^= 0xff; // its CRC-32
    const bad = await gunzipMembers(Buffer.concat([a, damaged, a]));
    expect(bad.damage).toEqual({ at: a.length, cut: false, reason: 'its check sum does not match its content' });
    expect(bad.content.toString()).toBe('{"a":1}\n');
    expect(describeMembers(bad, 1)).toEqual({ kind: 'partial', reason: `corrupt gzip from byte ${a.length} (its check sum does not match its content): 1 record(s) read from the members before it; the rest is not read` });
    expect(describeMembers(await gunzipMembers(Buffer.concat([a, b])), 2)).toBeUndefined();
  });
});

// The whole inflated file was held at once (a 100 MB .json.gz, about 1.5 GB): now a member is held
// only up to a bound until its check, and past it handed on as it inflates, as gzip -d writes it.
describe('MemberReader', () => {
  const MB = 1024 * 1024;
  // 8 MB of JSON lines in one member, read with a bound of 1 MB (the load's is 16 MB).
  const lines = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ eventName: 'GetObject', eventID: `e-${i}`, pad: 'p'.repeat(150 + (i % 50)) }) + '\n').join('');
  const member = gzipSync(lines, { level: constants.Z_BEST_SPEED });
  const text = Buffer.from(lines);

  it('hands a member larger than the bound on in parts, never holding it whole', async () => {
    expect(text.length).toBeGreaterThan(8 * MB);
    const reader = new MemberReader(Buffer.concat([member, Buffer.from('GARBAGE!')]), MB);
    const parts: Buffer[] = [];
    let inflatedAtFirst = 0;
    for await (const part of reader.parts()) {
      if (parts.length === 0) inflatedAtFirst = reader.inflated;
      parts.push(part);
    }
    // The first part came out before 2 MB of the 8 were inflated, and no part is over 1 MB.
    expect(inflatedAtFirst).toBeLessThanOrEqual(2 * MB);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(MB);
    expect(Buffer.concat(parts).equals(text)).toBe(true);
    expect(reader).toMatchObject({ padding: 0, trailing: 8, damage: undefined, inflated: text.length });
  });

  it('says when a member past the bound fails its check after its content was handed on', async () => {
    const damaged = Buffer.from(member);
    damaged[damaged.length - 8]! ^= 0xff;
    const reader = new MemberReader(Buffer.concat([a, damaged, b]), MB);
    let bytes = 0;
    for await (const part of reader.parts()) bytes += part.length;
    expect(bytes).toBe(8 + text.length);
    expect(reader.damage).toEqual({ at: a.length, cut: false, reason: 'its check sum does not match its content', read: true });
    expect(describeMembers(reader, 40_001)).toEqual({
      kind: 'partial',
      reason: `corrupt gzip from byte ${a.length} (its check sum does not match its content): 40001 record(s) read, with the events of the member there, too large to hold until its check (over 16 MB inflated): they were read before the damage showed and may be wrong; the rest is not read`,
    });
    // Within the bound, a member that fails its check gives nothing, as before.
    const held = await gunzipMembers(Buffer.concat([a, damaged, b]), 16 * MB);
    expect(held.content.toString()).toBe('{"a":1}\n');
  });
});

// zlib.crc32 is Node 20.15's; an older Node 20 (package.json accepts any) checks members with this.
describe('tableCrc32', () => {
  it('gives what zlib.crc32 gives', () => {
    for (const text of ['', 'a', '{"Records":[]}', 'x'.repeat(100_000)]) {
      const data = Buffer.from(text);
      expect(tableCrc32(data)).toBe(crc32(data));
    }
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    // Continued over parts, as members are checked while they inflate.
    const whole = Buffer.from('{"Records":[{"eventName":"GetObject"}]}');
    expect(tableCrc32(whole.subarray(9), tableCrc32(whole.subarray(0, 9)))).toBe(crc32(whole));
  });
});
