// A Splunk app folder (such as Splunk's ES Content Update, DA-ESS-ContentUpdate): saved searches
// in default/savedsearches.conf (local/ overriding default/), macros in macros.conf, lookup
// definitions in transforms.conf with their files in lookups/. The same selection as a
// security_content checkout: CloudTrail searches, deprecated ones counted and left out.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseMacrosConf, type MacroSet } from '../../compiler/macros.js';
import type { ContentLookup } from '../lookups.js';
import { linkBaselines, readsCloudTrail, walk } from './security-content.js';
import { emptyContent, LEVEL_SCORE, levelOfScore, slug, techniqueIds, type ContentSet, type HuntSearch } from './types.js';

/** Stanzas of a .conf file: `[name]` then `key = value` lines, `\` at a line's end continuing it. */
function parseConf(textIn: string): Map<string, Map<string, string>> {
  const stanzas = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  stanzas.set('default', current);
  const lines = textIn.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*[#;]/.test(line) || line.trim() === '') continue;
    const stanza = /^\s*\[(.*)\]\s*$/.exec(line);
    if (stanza) {
      current = stanzas.get(stanza[1]!) ?? new Map();
      stanzas.set(stanza[1]!, current);
      continue;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + '\n' + lines[++i]!;
    const kv = /^\s*([^=]+?)\s*=\s?(.*)$/s.exec(line);
    if (kv) current.set(kv[1]!.trim(), kv[2]!.trim());
  }
  return stanzas;
}

function readConf(app: string, file: string): Map<string, Map<string, string>> {
  const merged = new Map<string, Map<string, string>>();
  for (const layer of ['default', 'local']) {
    const path = join(app, layer, file);
    if (!existsSync(path)) continue;
    for (const [name, keys] of parseConf(readFileSync(path, 'utf8'))) merged.set(name, new Map([...(merged.get(name) ?? []), ...keys]));
  }
  return merged;
}

export function isSplunkApp(dir: string): boolean {
  return existsSync(join(dir, 'default', 'savedsearches.conf')) || existsSync(join(dir, 'local', 'savedsearches.conf'));
}

function json(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function appSearch(stanza: string, keys: Map<string, string>, file: string, kind: 'detection' | 'baseline'): HuntSearch {
  const title = stanza.replace(/^ESCU - /, '').replace(/ - Rule$/, '');
  const annotations = json(keys.get('action.correlationsearch.annotations')) as Record<string, unknown> | undefined;
  const mitre = techniqueIds([...((annotations?.mitre_attack as unknown[]) ?? []), ...((json(keys.get('action.escu.mitre_attack')) as unknown[]) ?? [])]);
  const risk = json(keys.get('action.risk.param._risk')) as { risk_score?: number }[] | undefined;
  const scores = [...(Array.isArray(risk) ? risk.map((r) => Number(r?.risk_score)) : []), Number(keys.get('action.risk.param._risk_score'))].filter(Number.isFinite);
  const type = kind === 'baseline' ? 'baseline' : (keys.get('action.escu.search_type') ?? 'detection').toLowerCase();
  const score = kind === 'baseline' ? 0 : scores.length ? Math.max(...scores) : LEVEL_SCORE.medium;
  return {
    id: keys.get('action.escu.detection_id') ?? keys.get('id') ?? slug(title),
    title,
    type,
    source: 'content',
    file,
    spl: keys.get('search')!.trim(),
    mitre,
    level: levelOfScore(score),
    score,
    description: keys.get('description'),
    falsePositives: keys.get('action.escu.known_false_positives'),
    needs: [],
    alerting: kind === 'detection',
  };
}

function appLookups(app: string): Map<string, ContentLookup> {
  const lookups = new Map<string, ContentLookup>();
  for (const [name, keys] of readConf(app, 'transforms.conf')) {
    const filename = keys.get('filename');
    if (!filename || /[/\\]/.test(filename)) continue;
    const path = join(app, 'lookups', filename);
    if (!existsSync(path)) continue;
    const fields = (keys.get('fields_list') ?? '').split(',').map((f) => f.trim()).filter(Boolean);
    lookups.set(name, { path, ...(fields.length ? { fields } : {}) });
  }
  for (const csv of walk(join(app, 'lookups'), ['.csv'])) {
    const name = basename(csv).replace(/\.csv$/i, '');
    if (!lookups.has(name)) lookups.set(name, { path: csv });
  }
  return lookups;
}

function appMacros(app: string): MacroSet {
  const macros: MacroSet = new Map();
  for (const layer of ['default', 'local']) {
    const path = join(app, layer, 'macros.conf');
    if (!existsSync(path)) continue;
    for (const [key, def] of parseMacrosConf(readFileSync(path, 'utf8'), path)) {
      // As in a checkout: the app's `*_filter` macros filter nothing unless the user defines them.
      if (layer === 'default' && def.name.endsWith('_filter')) continue;
      macros.set(key, def);
    }
  }
  return macros;
}

export function loadSplunkApp(app: string): ContentSet {
  const set = emptyContent();
  set.macros = appMacros(app);
  set.lookups = appLookups(app);
  const file = join(app, 'default', 'savedsearches.conf');
  const baselines: { search: HuntSearch; detections: string[] }[] = [];
  let deprecated = 0;
  let other = 0;
  let investigative = 0;
  for (const [stanza, keys] of readConf(app, 'savedsearches.conf')) {
    const spl = keys.get('search');
    if (stanza === 'default' || !spl) continue;
    if (!readsCloudTrail(spl)) {
      other++;
      continue;
    }
    const kind = keys.get('action.escu.search_type');
    if (/^(1|true)$/i.test(keys.get('action.escu.deprecated') ?? '') || /\bdeprecated\b/i.test(stanza)) {
      deprecated++;
      continue;
    }
    if (kind === 'investigative') {
      investigative++;
      continue;
    }
    if (kind === 'support') baselines.push({ search: appSearch(stanza, keys, file, 'baseline'), detections: [] });
    else set.searches.push(appSearch(stanza, keys, file, 'detection'));
  }
  linkBaselines(set, baselines);
  set.notes.unshift(`${app}: ${set.searches.length} CloudTrail search(es), ${set.baselines.length} baseline(s) they need; skipped ${deprecated} deprecated, ${investigative} investigative, ${other} for other data sources`);
  return set;
}
