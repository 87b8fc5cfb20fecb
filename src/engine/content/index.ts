// Detection content from disk, in one shape: --content folders (a security_content checkout or a
// Splunk app), --rules (Sigma files and folders), and the saved searches of queries/.
import type { SavedQuery } from '../queries.js';
import { ContentError, isSecurityContent, loadSecurityContent } from './security-content.js';
import { loadSigmaRules } from './sigma-rules.js';
import { isSplunkApp, loadSplunkApp } from './splunk-app.js';
import { emptyContent, LEVEL_SCORE, techniqueIds, type ContentSet, type HuntSearch } from './types.js';

export { ContentError };
export type { ContentSet, HuntSearch };

function loadContentDir(dir: string): ContentSet {
  if (isSecurityContent(dir)) return loadSecurityContent(dir);
  if (isSplunkApp(dir)) return loadSplunkApp(dir);
  throw new ContentError(`--content ${dir}: neither a security_content checkout (no detections/ folder) nor a Splunk app (no default/savedsearches.conf)`);
}

/** Several sets as one: later macros and lookups win, as later --macros files do. */
function mergeContent(sets: ContentSet[]): ContentSet {
  const out = emptyContent();
  for (const s of sets) {
    out.searches.push(...s.searches);
    out.baselines.push(...s.baselines);
    for (const [k, v] of s.macros) out.macros.set(k, v);
    for (const [k, v] of s.lookups) out.lookups.set(k, v);
    out.notes.push(...s.notes);
  }
  return out;
}

export function loadContent(dirs: string[], rules: string[]): ContentSet {
  return mergeContent([...dirs.map(loadContentDir), ...(rules.length ? [loadSigmaRules(rules)] : [])]);
}

/** A saved search of queries/ in the common shape: hunting lists score low, detections medium. */
export function savedQuerySearch(q: SavedQuery): HuntSearch {
  const level = q.type === 'detection' ? 'medium' : 'informational';
  return {
    id: q.id,
    title: q.title,
    type: q.type,
    source: 'queries',
    file: q.file,
    spl: q.spl,
    mitre: techniqueIds(q.mitre ? [q.mitre] : []),
    level,
    score: LEVEL_SCORE[level],
    description: q.description,
    falsePositives: q.falsePositives,
    needs: [],
    alerting: q.type === 'detection',
  };
}

/** A search by id, title (any case) or file-name slug; baselines included. */
export function findContentSearch(set: ContentSet, key: string): HuntSearch | undefined {
  const lower = key.toLowerCase();
  const all = [...set.searches, ...set.baselines];
  return all.find((s) => s.id === key) ?? all.find((s) => s.title.toLowerCase() === lower) ?? all.find((s) => s.file.replace(/^.*[/\\]/, '').replace(/\.ya?ml$/i, '') === key);
}
