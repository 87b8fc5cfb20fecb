// The memory of statements Trino's grammar accepted (test/trino/validate.ts): only accepted
// statements are remembered, and the file holds nothing but their hashes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTrino, rememberedAsAccepted, trinoSyntaxErrors } from './trino/validate.js';

describe('the grammar check remembers only what it accepted', () => {
  it('refuses a statement Trino does not parse, every time, and does not remember it', async () => {
    const bad = 'SELECT coalesce(1, FROM cloudtrail_logs_pp';
    expect((await trinoSyntaxErrors(bad)).length).toBeGreaterThan(0);
    expect(rememberedAsAccepted(bad)).toBe(false);
    expect((await trinoSyntaxErrors(bad)).length).toBeGreaterThan(0);
  });

  it('remembers an accepted statement, which the parser itself accepts', async () => {
    const good = "SELECT element_at(transform(ARRAY[1], x -> x + 1), 1) AS remembered FROM cloudtrail_logs_pp WHERE \"timestamp\" >= '2026/11/01'";
    expect(await parseTrino(good)).toEqual([]);
    expect(await trinoSyntaxErrors(good)).toEqual([]);
    expect(rememberedAsAccepted(good)).toBe(true);
  });

  it('keeps one SHA-256 a line in accepted.txt', () => {
    const lines = readFileSync(new URL('./trino/accepted.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);
    expect(lines.filter((l) => !/^[0-9a-f]{64}$/.test(l))).toEqual([]);
  });
});
