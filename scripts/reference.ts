// Writes the command tables of docs/reference.md from the command registry, so a command's
// summary and example live in one place (its spec) and every example is compiled by the docs
// test. The rest of the page is written by hand. Run with `npm run reference`;
// test/docs.test.ts fails when the committed page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_SPECS, REFUSED, rowPreservingNames, UNSUPPORTED } from '../src/compiler/commands/registry.js';
import type { OptionType, Section } from '../src/compiler/commands/spec.js';

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
  out.push('', '### Options', '', 'Every option of every command: run, refused by name (an error saying why), or accepted with no effect here.', '', '| Command | Options run | Refused | Accepted, no effect |', '|---|---|---|---|');
  for (const spec of COMMAND_SPECS) {
    const options = Object.entries(spec.options);
    if (options.length === 0) continue;
    const of = (test: (t: OptionType) => boolean) => options.filter(([, t]) => test(t)).map(([k]) => `\`${k}\``).join(', ') || '-';
    const isObj = (t: OptionType, key: string) => typeof t === 'object' && !Array.isArray(t) && key in (t as object);
    out.push(`| \`${spec.name}\` | ${of((t) => typeof t === 'string' || Array.isArray(t))} | ${of((t) => isObj(t, 'unsupported'))} | ${of((t) => isObj(t, 'ignored'))} |`);
  }
  out.push('', '### Splunk commands not supported yet', '', 'Refused by name ("not supported yet"), never as an unknown command:', '');
  out.push([...UNSUPPORTED].sort().map((n) => `\`${n}\``).join(', ') + '.');
  out.push('', `Refused with a reason: ${Object.keys(REFUSED).map((n) => `\`${n}\``).join(', ')} (the Machine Learning Toolkit's models live inside Splunk).`);
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
