// Seed searches for the fuzz test: the bundled queries as they are, the searches the other tests
// use, and a hand-written list aimed at the corners of the grammar (quoting, brackets, modes).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function files(dir: string, keep: (f: string) => boolean): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(files(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out.sort();
}

/** String literals in the test sources that look like searches. */
function testSearches(): string[] {
  const found = new Set<string>();
  const literal = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`/g;
  for (const file of files(path.join(ROOT, 'test'), (f) => /\.test\.tsx?$/.test(f) && !f.includes(`${path.sep}hostile${path.sep}`))) {
    for (const m of readFileSync(file, 'utf8').matchAll(literal)) {
      const raw = m[1] ?? m[2] ?? m[3] ?? '';
      let text: string;
      try {
        text = m[3] !== undefined ? raw : (JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/"/g, '\\"').replace(/\\\\"/g, '\\"')}"`) as string);
      } catch {
        continue;
      }
      if (/^\s*(\||search\b|index=|eventName=|sourcetype=)/.test(text) || /\s\|\s*[a-z]+\b/.test(text)) found.add(text);
    }
  }
  return [...found];
}

export const HAND_WRITTEN = [
  '',
  ' ',
  '|',
  '| makeresults',
  '| makeresults count=3 | eval x=1 | table x',
  'index=main eventName=ConsoleLogin',
  'eventName="Get*" errorCode!=AccessDenied | stats count by eventName, sourceIPAddress',
  'search NOT (eventName=Describe* OR eventName=List*) userIdentity.type=IAMUser',
  '| makeresults | eval s="a\\"b", t=\'odd field\', u=len(s) . "x" | where u > 1',
  'eventSource=iam.amazonaws.com | rex field=_raw "(?<user>userName\\":\\"[^\\"]+)" | table user',
  '| makeresults | eval x=split("a,b,c", ",") | mvexpand x | stats values(x) as v dc(x)',
  '| makeresults | eval x=if(isnull(y), "none", case(y>1, "big", true(), "small"))',
  'eventName=AssumeRole [search eventName=CreateUser | fields userIdentity.arn]',
  '| makeresults | eval t=strftime(now(), "%Y-%m-%d") | eval n=tonumber("0x1f", 16)',
  'sourceIPAddress IN (1.2.3.4, "5.6.7.8") | dedup sourceIPAddress | sort - _time | head 5',
  '| makeresults | spath input=x path=a.b{}.c output=d | rename d as "e f" | fields - _time',
  'earliest=-7d@d latest=now | timechart span=1h count by eventName',
  '`ct` | `by_user("arn:aws:iam::1:user/x")` | `twice(a, b)`',
  'eventName=$name$ | head $n$',
  '| makeresults | eval x=replace("a.b", "\\.", "-") | eval y=match(x, "^a") | where y',
  '| inputlookup users.csv | lookup users.csv user OUTPUT role | outputlookup out.csv',
  '| makeresults | eval x=1 | join type=left x [| makeresults | eval x=1, y=2]',
  'a OR b AND NOT c ( d e ) "quoted phrase" \'single\' f* *g h=*',
  '| eval | where | stats | table | search',
  '| makeresults | eval x=((((1)))) + -(-2) * 3 / 4 % 5 . "s"',
  '| makeresults | where x LIKE "a%" AND y IN ("a", "b") XOR NOT z',
];

export function splFiles(): string[] {
  return files(path.join(ROOT, 'queries'), (f) => f.endsWith('.spl')).map((f) => readFileSync(f, 'utf8'));
}

export function seedCorpus(): string[] {
  return [...new Set([...splFiles(), ...testSearches(), ...HAND_WRITTEN])];
}
