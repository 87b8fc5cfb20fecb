// Who is behind a hunt's hits: each result row is attributed to a principal (the caller's ARN,
// else its account, else the user name the search reports), and each principal gets the searches
// that hit, their ATT&CK techniques, the first and last time seen and a score: the sum of the
// scores of the distinct searches that hit it (a light form of Splunk's risk-based alerting,
// where each detection adds its risk score to the risk object once per finding).
import type { Row, Value } from '../types.js';
import type { SearchOutcome } from './runner.js';

export interface PrincipalSummary {
  principal: string;
  score: number;
  /** Titles of the searches that hit, highest score first. */
  searches: string[];
  techniques: string[];
  /** Epoch seconds, or null when no row said when. */
  first: number | null;
  last: number | null;
  results: number;
}

/** Result fields naming the caller, best first: ARNs, then accounts, then user names. */
const ARN_FIELDS = ['userIdentity.arn', 'user_arn', 'arn', 'src_user_arn', 'userIdentity.sessionContext.sessionIssuer.arn', 'user', 'src_user', 'principal'];
const ACCOUNT_FIELDS = ['userIdentity.accountId', 'aws_account_id', 'vendor_account', 'requesting_account', 'requestingAccountId', 'account', 'recipientAccountId'];
const USER_FIELDS = ['user', 'src_user', 'userName', 'userIdentity.userName', 'user_name'];
const TIME_FIELDS = ['_time', 'firstTime', 'lastTime', 'first_time', 'last_time'];

const ARN = /^arn:aws[\w-]*:(?:iam|sts)::/;

function values(v: Value | undefined): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(values);
  const s = String(v).trim();
  return s ? [s] : [];
}

/** The principals a row names (a multivalue ARN field can name several). */
function rowPrincipals(row: Row): string[] {
  for (const f of ARN_FIELDS) {
    const arns = values(row[f]).filter((v) => ARN.test(v));
    if (arns.length) return [...new Set(arns)];
  }
  for (const f of ACCOUNT_FIELDS) {
    const ids = values(row[f]).filter((v) => /^\d{12}$/.test(v));
    if (ids.length) return [...new Set(ids.map((id) => `account ${id}`))];
  }
  for (const f of USER_FIELDS) {
    const names = values(row[f]);
    if (names.length) return [...new Set(names.map((n) => `user ${n}`))];
  }
  return [];
}

/** A time as spelunk or the content writes it: epoch seconds, ISO-8601, or ctime's %m/%d/%Y %H:%M:%S. */
function timeOf(v: string): number | null {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const us = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(v);
  const iso = us ? `${us[3]}-${us[1]}-${us[2]}T${us[4]}:${us[5]}:${us[6]}Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v.replace(' ', 'T')}Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t / 1000;
}

function rowTimes(row: Row): number[] {
  return TIME_FIELDS.flatMap((f) => values(row[f]).map(timeOf)).filter((t): t is number => t !== null);
}

export function summarizePrincipals(outcomes: SearchOutcome[]): PrincipalSummary[] {
  const by = new Map<string, { summary: PrincipalSummary; searches: Map<string, number> }>();
  for (const o of outcomes) {
    if (o.error || o.search.type === 'baseline' || o.rows.length === 0) continue;
    for (const row of o.rows) {
      const principals = rowPrincipals(row);
      const times = rowTimes(row);
      for (const p of principals.length ? principals : ['(not named in the results)']) {
        let entry = by.get(p);
        if (!entry) {
          entry = { summary: { principal: p, score: 0, searches: [], techniques: [], first: null, last: null, results: 0 }, searches: new Map() };
          by.set(p, entry);
        }
        const s = entry.summary;
        s.results++;
        entry.searches.set(o.search.title, o.search.score);
        for (const t of o.search.mitre) if (!s.techniques.includes(t)) s.techniques.push(t);
        for (const t of times) {
          s.first = s.first === null ? t : Math.min(s.first, t);
          s.last = s.last === null ? t : Math.max(s.last, t);
        }
      }
    }
  }
  const out = [...by.values()].map(({ summary, searches }) => {
    const ranked = [...searches].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { ...summary, score: ranked.reduce((n, [, score]) => n + score, 0), searches: ranked.map(([t]) => t), techniques: summary.techniques.sort() };
  });
  return out.sort((a, b) => b.score - a.score || b.results - a.results || a.principal.localeCompare(b.principal));
}
