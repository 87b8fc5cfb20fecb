// Pivots: from a row of results to the investigations that can take its values. A value is
// recognised by its shape (an ARN, an access key id, an IP, a region, an account id) or, for
// shapeless things such as user names, by the name of the field it came from. A parameter is
// recognised by its name and description (`user_arn`, `access_key_id`, `src_ip` ...).
import { cellValues } from '../cli/format.js';
import type { Row } from '../engine/types.js';

export type ValueKind =
  | 'arn' | 'access-key' | 'ip' | 'region' | 'account' | 'user' | 'role' | 'bucket' | 'event'
  | 'city' | 'country' | 'geo-region' | 'other';

/** Kinds with a telling shape: a value of one of them is that kind only if it has the shape. */
const SHAPED: ReadonlySet<ValueKind> = new Set(['arn', 'access-key', 'ip', 'region', 'account']);

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^(?=.*:.*:)[0-9a-f:.]+$/i;
const REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)(-gov|-iso|-isob)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d$/;

/** What a value looks like, from its text alone ('other' when it has no telling shape). */
export function valueShape(v: string): ValueKind {
  if (/^arn:aws[\w-]*:/.test(v)) return 'arn';
  if (/^(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}$/.test(v)) return 'access-key';
  if (IPV4.test(v) || IPV6.test(v)) return 'ip';
  if (REGION.test(v)) return 'region';
  if (/^\d{12}$/.test(v)) return 'account';
  return 'other';
}

/** The kind a field's values are, judging by the field's name (for values without a shape). */
function fieldKind(field: string): ValueKind | null {
  // The places iplocation adds (case-sensitive, as Splunk's field names): `Region` is a state or
  // province, never an AWS region, which is `region` or `awsRegion`.
  if (field === 'City') return 'city';
  if (field === 'Country') return 'country';
  if (field === 'Region') return 'geo-region';
  const f = field.toLowerCase();
  if (/arn$/.test(f)) return 'arn';
  if (/accesskey|access_key/.test(f)) return 'access-key';
  if (/(^|[._])(src|src_ip|ip|sourceipaddress|client_ip)$/.test(f) || /ipaddress$/.test(f)) return 'ip';
  if (/(^|[._])(region|awsregion)$/.test(f)) return 'region';
  if (/account(id)?$|account_id$/.test(f)) return 'account';
  if (/bucket/.test(f)) return 'bucket';
  if (/role(name)?$|user_role/.test(f)) return 'role';
  if (/(^|[._])(user|username|user_name|principal)$/.test(f)) return 'user';
  if (/^(eventid|event_id)$/.test(f)) return 'event';
  return null;
}

/** The kind of value a query parameter wants, from its name and description. */
export function parameterKind(name: string, description = ''): ValueKind {
  const n = name.toLowerCase();
  // Places iplocation names have no shape: they come only from iplocation's own fields.
  if (/geo/.test(n)) return 'geo-region';
  if (/city/.test(n)) return 'city';
  if (/country/.test(n)) return 'country';
  if (/arn/.test(n) || /\bARN\b/.test(description)) return 'arn';
  const byName = fieldKind(n);
  if (byName) return byName;
  if (/arn/.test(n)) return 'arn';
  if (/key/.test(n)) return 'access-key';
  if (/(^|_)ip($|_)|address/.test(n)) return 'ip';
  if (/region/.test(n)) return 'region';
  if (/account/.test(n)) return 'account';
  if (/user|principal|identity/.test(n)) return 'user';
  const d = description.toLowerCase();
  if (/\barn\b/.test(d)) return 'arn';
  if (/access key/.test(d)) return 'access-key';
  if (/\bip\b|address/.test(d)) return 'ip';
  if (/region/.test(d)) return 'region';
  if (/account/.test(d)) return 'account';
  if (/user/.test(d)) return 'user';
  return 'other';
}

export interface RowValue {
  field: string;
  value: string;
  kind: ValueKind;
}

/** Every value of a row with its kind: shape first, then the field name. */
function rowValues(row: Row, columns: string[] = Object.keys(row)): RowValue[] {
  const out: RowValue[] = [];
  for (const field of columns) {
    if (field.startsWith('_')) continue;
    for (const value of cellValues(field, row[field] ?? null)) {
      const shape = valueShape(value);
      const named = fieldKind(field);
      // A 12-digit number in a field called e.g. `count` is not an account.
      let kind = shape === 'account' && named !== 'account' && named !== null ? named : shape !== 'other' ? shape : named ?? 'other';
      // A name promises a shape it may not keep: `src` holds "AWS Internal" and service names,
      // iplocation's `Region` a province. Such a value is not an address or an AWS region.
      if (SHAPED.has(kind) && shape !== kind) kind = 'other';
      // A place iplocation named is only ever taken from iplocation's field, whatever it looks like.
      if (named === 'city' || named === 'country' || named === 'geo-region') kind = named;
      if (value === '' || kind === 'other') continue;
      out.push({ field, value, kind });
    }
  }
  return out;
}

export interface PivotQuery {
  id: string;
  title: string;
  parameters: { name: string; description: string }[];
}

export interface PivotOption {
  query: PivotQuery;
  params: Record<string, string>;
  /** The field each parameter's value came from. */
  from: Record<string, string>;
}

/** Affinity of a field to a parameter: the same name beats a related name beats the shape alone. */
function affinity(param: string, field: string): number {
  const p = param.toLowerCase().replace(/[^a-z0-9]/g, '');
  const f = field.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (p === f) return 3;
  if (f.endsWith(p) || p.endsWith(f)) return 2;
  if (f.includes('useridentity') && /user/.test(p)) return 1;
  return 0;
}

/**
 * The investigations a row can start, each with its parameters filled from the row. A query
 * whose parameters are not all found is left out; when a single-parameter query matches several
 * distinct values (the caller's ARN and a resource ARN), each becomes its own option.
 */
export function matchPivots(row: Row, columns: string[], queries: PivotQuery[], maxPerQuery = 4): PivotOption[] {
  const values = rowValues(row, columns);
  const options: PivotOption[] = [];
  for (const query of queries) {
    if (query.parameters.length === 0) continue;
    const perParam = query.parameters.map((p) => {
      const kind = parameterKind(p.name, p.description);
      const seen = new Set<string>();
      return values
        .filter((v) => v.kind === kind)
        .sort((a, b) => affinity(p.name, b.field) - affinity(p.name, a.field))
        .filter((v) => (seen.has(v.value) ? false : (seen.add(v.value), true)));
    });
    if (perParam.some((c) => c.length === 0)) continue;
    const variants = query.parameters.length === 1 ? perParam[0]!.slice(0, maxPerQuery).map((v) => [v]) : [perParam.map((c) => c[0]!)];
    for (const chosen of variants) {
      const params: Record<string, string> = {};
      const from: Record<string, string> = {};
      query.parameters.forEach((p, i) => {
        params[p.name] = chosen[i]!.value;
        from[p.name] = chosen[i]!.field;
      });
      options.push({ query, params, from });
    }
  }
  return options;
}
