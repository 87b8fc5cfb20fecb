// The documentation is checked against the code: the railroad diagrams are regenerated and
// compared, and docs/reference.md must name every command and function and its examples must
// compile.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagramsHtml, DIAGRAMS_FILE } from '../scripts/diagrams.js';
import { referencePage } from '../scripts/reference.js';
import { AGGREGATE_NAMES } from '../src/compiler/library/aggregates.js';
import { COMMAND_NAMES } from '../src/compiler/commands/registry.js';
import { DATA_MODELS } from '../src/compiler/datamodels.js';
import { FUNCTION_NAMES } from '../src/compiler/library/eval-functions.js';
import { compile } from '../src/compiler/index.js';
import { loadMacros, bundledMacrosFile } from '../src/engine/engine.js';
import { SAMPLE_NOW } from './helpers.js';

const reference = readFileSync('docs/reference.md', 'utf8');
const datamodels = readFileSync('docs/datamodels.md', 'utf8');

/** True when the text names `name` in code: `name`, `name(...)`, `name <args>`, `perc<N>`. */
function documents(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('`' + escaped + '[`(< ,]').test(text);
}

describe('grammar/diagrams.html', () => {
  it('is up to date with the parser (run npm run diagrams)', () => {
    expect(readFileSync(DIAGRAMS_FILE, 'utf8') === diagramsHtml(), 'grammar/diagrams.html is stale: run npm run diagrams').toBe(true);
  });

  it('works offline: no external scripts or stylesheets, and the inline scripts parse', () => {
    const html = readFileSync(DIAGRAMS_FILE, 'utf8');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/i);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(6);
    for (const code of scripts) expect(() => new Function(code)).not.toThrow();
    expect(html).toContain('drawDiagramsFromSerializedGrammar');
  });
});

describe('docs/reference.md', () => {
  it('has the command tables the registry gives (run npm run reference)', () => {
    expect(reference === referencePage(reference), 'docs/reference.md is stale: run npm run reference').toBe(true);
  });

  it('names every command', () => {
    const missing = COMMAND_NAMES.filter((name) => !documents(reference, name));
    expect(missing).toEqual([]);
  });

  it('names every eval function and every stats function', () => {
    expect(FUNCTION_NAMES.filter((name) => !documents(reference, name))).toEqual([]);
    expect(AGGREGATE_NAMES.filter((name) => !documents(reference, name))).toEqual([]);
  });

  it('has a section on the differences from Splunk', () => {
    expect(reference).toMatch(/^## Known differences from Splunk$/m);
  });

  it('every example in the command and function tables compiles', () => {
    const macros = loadMacros([bundledMacrosFile()]);
    const needsLookups = /\b(lookup|inputlookup|outputlookup)\b/;
    const examples = [...reference.matchAll(/^\|[^\n]*\| `((?:[^`]|``)+)` \|$/gm)].map((m) => m[1]!.replace(/\\\|/g, '|').trim());
    expect(examples.length).toBeGreaterThan(100);
    const failures: string[] = [];
    for (const example of examples) {
      if (needsLookups.test(example)) continue;
      const spl = example.startsWith('*') || example.startsWith('|') ? example : `* | ${example}`;
      try {
        compile(spl, { now: SAMPLE_NOW, macros });
      } catch (err) {
        failures.push(`${spl}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('docs/datamodels.md', () => {
  it('documents every data model dataset and field', () => {
    for (const m of DATA_MODELS) {
      for (const d of [m.root.name, ...m.children.map((c) => `${m.name}.${c.name}`)]) expect(datamodels).toContain('`' + d + '`');
      for (const f of m.fields) expect(datamodels).toContain('`' + `${m.root.name}.${f.name}` + '`');
    }
  });
});
