// Inflating gzip member by member (gzip-members.ts): what `gzip -d` recovers, and what is left.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeMembers, gunzipMembers, tableCrc32 } from '../src/engine/gzip-members.js';

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
  it('reads every member before trailing garbage, as gzip -d does, and counts the bytes left', () => {
    const bytes = Buffer.concat([a, b, Buffer.from('GARBAGE!')]);
    const m = gunzipMembers(bytes);
    expect(m).toMatchObject({ padding: 0, trailing: 8, damage: undefined });
    expect(m.content.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(m.content.toString()).toBe(gzipD(bytes));
  });

  it('passes over zero padding between and after members (gzip -d stops at it)', () => {
    const m = gunzipMembers(Buffer.concat([a, Buffer.alloc(3), b, Buffer.alloc(5)]));
    expect(m).toMatchObject({ padding: 8, trailing: 0, damage: undefined });
    expect(m.content.toString()).toBe('{"a":1}\n{"b":2}\n');
  });

  it('reads a member with a file name and a comment in its header', () => {
    // FNAME and FCOMMENT set: each a zero-ended string before the compressed data.
    const named = Buffer.concat([a.subarray(0, 3), Buffer.from([0x18]), a.subarray(4, 10), Buffer.from('f.json\0note\0'), a.subarray(10)]);
    expect(gunzipMembers(Buffer.concat([named, b])).content.toString()).toBe('{"a":1}\n{"b":2}\n');
  });

  it('says where a member is cut short or damaged, keeping the members before it', () => {
    const cut = gunzipMembers(Buffer.concat([a, b.subarray(0, b.length - 3)]));
    expect(cut.damage).toEqual({ at: a.length, cut: true, reason: 'the compressed data ends early' });
    expect(cut.content.toString()).toBe('{"a":1}\n{"b":2}\n');
    const damaged = Buffer.from(b);
    damaged[damaged.length - 8]! ^= 0xff; // its CRC-32
    const bad = gunzipMembers(Buffer.concat([a, damaged, a]));
    expect(bad.damage).toEqual({ at: a.length, cut: false, reason: 'its check sum does not match its content' });
    expect(bad.content.toString()).toBe('{"a":1}\n');
    expect(describeMembers(bad, 1)).toEqual({ kind: 'partial', reason: `corrupt gzip from byte ${a.length} (its check sum does not match its content): 1 record(s) read from the members before it; the rest is not read` });
    expect(describeMembers(gunzipMembers(Buffer.concat([a, b])), 2)).toBeUndefined();
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
  });
});
