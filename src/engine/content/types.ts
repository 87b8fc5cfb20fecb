// One shape for every search a hunt runs, whatever it was written as: a saved search in
// queries/, a detection of a security_content checkout or a Splunk app, or a Sigma rule.
import type { MacroSet } from '../../compiler/macros.js';
import type { ContentLookup } from '../lookups.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export const LEVELS: Level[] = ['informational', 'low', 'medium', 'high', 'critical'];
export type ContentSource = 'queries' | 'content' | 'rules';

export interface HuntSearch {
  /** The content's own id (a UUID for security_content and Sigma, the file id for queries/). */
  id: string;
  title: string;
  /** As the content says it: hunting, detection, baseline (queries/); ttp, anomaly, hunting (security_content); rule (Sigma). */
  type: string;
  source: ContentSource;
  file: string;
  /** The SPL that runs; absent when the search is refused (see `refused`). */
  spl?: string;
  /** Why this search cannot run at all (a Sigma construct spelunk cannot express, an MLTK model). */
  refused?: string;
  /** ATT&CK technique ids, e.g. T1078.004. */
  mitre: string[];
  level: Level;
  /** Risk score 0-100: security_content's own, else from the level (see LEVEL_SCORE). */
  score: number;
  description?: string;
  falsePositives?: string;
  /** Ids of baselines that must run first (they fill lookups this search reads). */
  needs: string[];
  /** True when results mean "something to look at" (not a hunting listing or a baseline). */
  alerting: boolean;
}

/** Scores per level, Sigma's five levels on the 0-100 scale of Splunk's risk scores. */
export const LEVEL_SCORE: Record<Level, number> = { informational: 5, low: 25, medium: 50, high: 75, critical: 100 };

/** A risk score's level, in Splunk Enterprise Security's bands (0-20 informational ... 81-100 critical). */
export function levelOfScore(score: number): Level {
  if (score <= 20) return 'informational';
  if (score <= 40) return 'low';
  if (score <= 60) return 'medium';
  if (score <= 80) return 'high';
  return 'critical';
}

export interface ContentSet {
  /** Searches a hunt runs (refused ones included, so the report names them). */
  searches: HuntSearch[];
  /** Baselines the searches need, in the order they run. */
  baselines: HuntSearch[];
  macros: MacroSet;
  lookups: Map<string, ContentLookup>;
  /** What was left out and why, counted: shown once after loading. */
  notes: string[];
}

export function emptyContent(): ContentSet {
  return { searches: [], baselines: [], macros: new Map(), lookups: new Map(), notes: [] };
}

/** Technique ids in text such as "T1078 Valid Accounts" or Sigma's "attack.t1078.004". */
export function techniqueIds(values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const m of String(v).matchAll(/\bt(\d{4}(?:\.\d{3})?)\b/gi)) {
      const id = `T${m[1]}`;
      if (!out.includes(id)) out.push(id);
    }
  }
  return out;
}

/** security_content's file names: the name, lower-case, with runs of other characters as `_`. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}
