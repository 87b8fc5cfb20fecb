// Writes the command tables of docs/reference.md from the command registry, so a command's
// summary and example live in one place (its spec) and every example is compiled by the docs
// test. The rest of the page is written by hand. Run with `npm run reference`;
// test/docs.test.ts fails when the committed page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_SPECS, rowPreservingNames } from '../src/compiler/commands/registry.js';
import type { Section } from '../src/compiler/commands/spec.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_FILE = join(ROOT, 'docs', 'reference.md');

const START = '<!-- commands: generated from the command registry by npm run reference -->';
const END = '<!-- end of commands -->';
const SECTIONS: Section[] = ['Searching and filtering', 'Fields and values', 'Statistics', 'Combining searches and making results'];

/** Text safe inside a Markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

export function commandTables(): string {
  const out: string[] = [START];
  const preserving = rowPreservingNames().map((n) => `\`${n}\``).join(', ');
  for (const section of SECTIONS) {
    out.push('', `### ${section}`, '', '| Command | What it does | Example |', '|---|---|---|');
    for (const spec of COMMAND_SPECS.filter((s) => s.reference.section === section)) {
      const name = `\`${spec.name}\`${spec.aliases?.length ? ` (alias ${spec.aliases.map((a) => `\`${a}\``).join(', ')})` : ''}`;
      const summary = spec.reference.summary.replace('{rowPreserving}', preserving);
      out.push(`| ${name} | ${cell(summary)} | \`${cell(spec.reference.example)}\` |`);
    }
  }
  out.push('', END);
  return out.join('\n');
}

/** The reference page with its command tables as the registry has them. */
export function referencePage(current = readFileSync(REFERENCE_FILE, 'utf8')): string {
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${REFERENCE_FILE} lacks the markers of the generated command tables`);
  return current.slice(0, start) + commandTables() + current.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(REFERENCE_FILE, referencePage());
  console.log(`wrote ${REFERENCE_FILE}`);
}
