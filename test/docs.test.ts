// The documentation is checked against the code: the railroad diagrams are regenerated and
// compared, and docs/reference.md must name every command and function and its examples must
// compile.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagramsHtml, DIAGRAMS_FILE } from '../scripts/diagrams.js';
import { referencePage } from '../scripts/reference.js';
import { AGGREGATE_NAMES } from '../src/compiler/library/aggregates.js';
import { COMMAND_NAMES } from '../src/compiler/commands/registry.js';
import { ADDON_FIELDS } from '../src/compiler/addon-fields.js';
import { DATA_MODELS, qualifiedName } from '../src/compiler/datamodels.js';
import { datamodelsMarkdown, DATAMODELS_FILE, fieldsMarkdown, FIELDS_FILE } from '../scripts/fields-doc.js';
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
    const examples = [...reference.matchAll(/^\|[^\n]*\| `((?:[^`]|``)+)` \|$/gm)].map((m) => m[1]!.replace(/\\\|/g, '|').trim())
      // The options table's last cell can be one option name (`grouped`): an example has a space.
      .filter((e) => /\s/.test(e));
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

describe('docs/fields.md and docs/datamodels.md', () => {
  it('are up to date with the tables (run npm run docs:fields)', () => {
    expect(readFileSync(FIELDS_FILE, 'utf8') === fieldsMarkdown(), 'docs/fields.md is stale: run npm run docs:fields').toBe(true);
    expect(readFileSync(DATAMODELS_FILE, 'utf8') === datamodelsMarkdown(), 'docs/datamodels.md is stale: run npm run docs:fields').toBe(true);
  });

  it('documents every add-on field, with its rule and source', () => {
    const fields = readFileSync(FIELDS_FILE, 'utf8');
    for (const f of ADDON_FIELDS) expect(fields, f.name).toMatch(new RegExp('^\\| `' + f.name + '` \\| .+ \\| ' + f.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + ' \\|$', 'm'));
  });

  it('documents every data model dataset and field', () => {
    for (const m of DATA_MODELS) {
      for (const d of m.datasets) {
        expect(datamodels).toContain('`' + `${m.name}.${d.name}` + '`');
        for (const f of d.fields) expect(datamodels).toContain('`' + qualifiedName(m, d, f) + '`');
      }
    }
  });
});
