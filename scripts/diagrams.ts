// Writes grammar/diagrams.html: railroad diagrams of the SPL grammar, drawn by Chevrotain from the
// parser's own rules, so they document exactly what the parser accepts. The page must open
// offline, so the diagram scripts and stylesheet Chevrotain would load from a CDN are inlined
// from node_modules/chevrotain/diagrams/. Run with `npm run diagrams`; test/docs.test.ts fails
// when the committed page is out of date.
import { createSyntaxDiagramsCode } from '../grammar/chevrotain.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializedGrammar } from '../grammar/parser.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIAGRAMS_FILE = join(ROOT, 'grammar', 'diagrams.html');
const ASSETS = join(ROOT, 'node_modules', 'chevrotain', 'diagrams');
const CDN = 'https://cdn.invalid/chevrotain-diagrams/';

/** Text safe inside an inline <script> or <style> element. */
function inlineSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1');
}

export function diagramsHtml(): string {
  let html = createSyntaxDiagramsCode(serializedGrammar(), { resourceBase: CDN, css: `${CDN}diagrams.css` });
  html = html.replace(/<script src='([^']+)'><\/script>/g, (tag, src: string) => {
    if (!src.startsWith(CDN)) throw new Error(`unexpected script in the diagrams page: ${tag}`);
    return `<script>\n${inlineSafe(readFileSync(join(ASSETS, src.slice(CDN.length)), 'utf8'))}\n</script>`;
  });
  html = html.replace(/<link rel='stylesheet' href='([^']+)'>/g, (tag, href: string) => {
    if (!href.startsWith(CDN)) throw new Error(`unexpected stylesheet in the diagrams page: ${tag}`);
    return `<style>\n${inlineSafe(readFileSync(join(ASSETS, href.slice(CDN.length)), 'utf8'))}\n</style>`;
  });
  if (html.includes(CDN) || /\b(src|href)=['"]https?:/i.test(html)) throw new Error('the diagrams page still loads something from the network');
  // Trailing spaces in Chevrotain's template would make the committed file noisy in diffs.
  return html.replace(/[ \t]+$/gm, '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DIAGRAMS_FILE, diagramsHtml());
  console.log(`wrote ${DIAGRAMS_FILE}`);
}
