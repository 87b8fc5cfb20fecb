// Sigma rule files: folders are walked for .yml/.yaml; rules for other log sources, and
// deprecated or unsupported ones, are counted and left out; each CloudTrail rule becomes SPL or a
// refusal with its reason.
import { readFileSync, statSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { detectionParts, SigmaRefusal, treeToSpl } from './sigma.js';
import { walk } from './security-content.js';
import { emptyContent, LEVEL_SCORE, LEVELS, slug, techniqueIds, type ContentSet, type HuntSearch, type Level } from './types.js';

type Doc = Record<string, unknown>;

function isCloudTrailRule(doc: Doc): boolean {
  const logsource = (doc.logsource ?? {}) as Doc;
  return String(logsource.product ?? '').toLowerCase() === 'aws' && String(logsource.service ?? '').toLowerCase() === 'cloudtrail';
}

/** One rule: its SPL, or the reason it cannot run. */
function sigmaSearch(doc: Doc, file: string): HuntSearch {
  const title = typeof doc.title === 'string' ? doc.title : file;
  const level = LEVELS.includes(String(doc.level).toLowerCase() as Level) ? (String(doc.level).toLowerCase() as Level) : 'medium';
  const search: HuntSearch = {
    id: typeof doc.id === 'string' ? doc.id : slug(title),
    title,
    type: 'rule',
    source: 'rules',
    file,
    mitre: techniqueIds(Array.isArray(doc.tags) ? doc.tags : []),
    level,
    score: LEVEL_SCORE[level],
    description: typeof doc.description === 'string' ? doc.description.trim() : undefined,
    falsePositives: Array.isArray(doc.falsepositives) ? doc.falsepositives.map(String).join('; ') : undefined,
    needs: [],
    alerting: true,
  };
  try {
    const fields = Array.isArray(doc.fields) ? doc.fields.map(String) : [];
    const parts = detectionParts(doc.detection);
    search.spl = treeToSpl(parts.tree, fields, parts.aggregation, parts.timeframe);
  } catch (err) {
    if (!(err instanceof SigmaRefusal)) throw err;
    search.refused = err.message;
  }
  return search;
}

/** Rules from files and folders; see the file comment. */
export function loadSigmaRules(paths: string[]): ContentSet {
  const set = emptyContent();
  let other = 0;
  let skipped = 0;
  const names = new Set<string>();
  const correlations: { doc: Doc; file: string }[] = [];
  const files = paths.flatMap((p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      set.notes.push(`${p}: no such file or folder`);
      return [];
    }
    return st.isDirectory() ? walk(p, ['.yml', '.yaml']) : [p];
  });
  for (const file of files) {
    let docs: Doc[];
    try {
      docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
        if (d.errors.length) throw d.errors[0];
        return d.toJS() as Doc;
      });
    } catch (err) {
      set.notes.push(`${file}: cannot read it (${(err instanceof Error ? err.message : String(err)).split('\n')[0]}), skipped`);
      continue;
    }
    for (const doc of docs) {
      if (!doc || typeof doc !== 'object' || !('detection' in doc || 'correlation' in doc)) continue;
      if ('correlation' in doc) {
        correlations.push({ doc, file });
        continue;
      }
      if (!isCloudTrailRule(doc)) {
        other++;
        continue;
      }
      const status = String(doc.status ?? '').toLowerCase();
      if (status === 'deprecated' || status === 'unsupported') {
        skipped++;
        continue;
      }
      set.searches.push(sigmaSearch(doc, file));
      if (typeof doc.name === 'string') names.add(doc.name);
    }
  }
  // A correlation rule over CloudTrail rules is named as refused; others belong to other sources.
  for (const { doc, file } of correlations) {
    const over = ((doc.correlation as Doc | undefined)?.rules ?? []) as unknown[];
    if (!over.some((r) => names.has(String(r)) || set.searches.some((s) => s.id === String(r)))) {
      other++;
      continue;
    }
    set.searches.push({ ...sigmaSearch({ ...doc, detection: undefined }, file), refused: 'Sigma correlation rules (counts and sequences over other rules) are not supported' });
  }
  const refused = set.searches.filter((s) => s.refused).length;
  set.notes.unshift(`sigma: ${set.searches.length} CloudTrail rule(s) (${refused} refused); skipped ${skipped} deprecated or unsupported, ${other} for other log sources`);
  return set;
}
