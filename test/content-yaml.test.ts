// Reading published content as its own tooling does: security_content's YAML is written for
// PyYAML, which accepts quoted searches whose continuation lines start at column 0.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecurityContent, parseLenient } from '../src/engine/content/security-content.js';

const dir = mkdtempSync(join(tmpdir(), 'spelunk-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security_content YAML', () => {
  it('reads a quoted search whose continuation lines start at column 0, as PyYAML does', () => {
    const text = "name: X\nsearch: '`cloudtrail` eventName=A\n| rename a as b\n | stats count'\ntype: TTP\n";
    expect(parseLenient(text)).toEqual({ name: 'X', search: '`cloudtrail` eventName=A | rename a as b | stats count', type: 'TTP' });
  });

  it('still refuses a file that is broken for other reasons, and the loader names it and goes on', () => {
    expect(() => parseLenient('name: [unclosed\n')).toThrow();
    mkdirSync(join(dir, 'detections'), { recursive: true });
    writeFileSync(join(dir, 'detections', 'bad.yml'), 'name: [unclosed\n');
    writeFileSync(join(dir, 'detections', 'good.yml'), "name: Good\nid: g1\ntype: TTP\nsearch: '`cloudtrail` eventName=A'\nmitre_attack_id:\n- T1098\n");
    const set = loadSecurityContent(dir);
    expect(set.searches.map((s) => [s.id, s.mitre])).toEqual([['g1', ['T1098']]]);
    expect(set.notes.some((n) => n.startsWith('detections/bad.yml: cannot read it'))).toBe(true);
  });
});
