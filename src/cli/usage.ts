// The usage text and the version, in a module of their own: `spelunk --help` and `--version`
// answer without loading the parser, compiler or engine (main.ts loads the commands when run).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../engine/project-root.js';

export const USAGE = `spelunk: Splunk's search language over AWS CloudTrail files, on your own machine.

Usage:
  spelunk [--data PATH...]     the interactive REPL: type SPL, Tab completes, :help lists its
                               commands (the bundled sample when no --data is given; spelunk repl --help)
  spelunk run "<SPL>" --data PATH... [--format table|csv|json|jsonl] [--param name=value]...
              [--now ISO-8601] [--earliest TIME] [--latest TIME] [--max-rows N] [--index NAME]
  spelunk explain "<SPL>" [--param name=value]... [--now ISO-8601]
  spelunk explain "<SPL>" --dialect athena|trino [--table NAME] [--partitions account,region,timestamp]
  spelunk run "<SPL>" --engine athena --workgroup W --output s3://bucket/prefix/ [--database D] [--region R]
              [--table NAME] [--partitions ...]   run on Athena over the CloudTrail table (docs/athena.md)
  spelunk run "<SPL>" --engine trino://[user@]host[:port]/catalog[/schema] [--table NAME] [--partitions ...]
              on a Trino server (trino+https:// for TLS; TRINO_PASSWORD for a password)
  spelunk hunt --engine athena --workgroup W --output s3://... [...]   the hunts, on Athena (or --engine trino://...)
  spelunk load PATH... [--out FILE.parquet [--force]]   convert into the cache (and to one Parquet file;
              --out never replaces a file being loaded or one spelunk did not write, unless --force)

Loading converts each file once into a columnar cache (--cache DIR; default
$XDG_CACHE_HOME/spelunk or ~/.cache/spelunk); unchanged files are not read again.
--no-cache loads into memory only.
  spelunk run <query-id | file.spl> --data PATH... [--param name=value]...
  spelunk queries [--format table|json] [--state DIR] [--content DIR]... [--rules DIR|FILE...]
              (the bundled searches, and yours: the REPL's :save writes them to STATE/queries)
  spelunk hunt --data PATH... [--now ISO-8601] [--state DIR] [--format table|json] [--max-rows N] [--fail-on-hits]
              [--content DIR]... [--rules DIR|FILE...] [--no-queries]

--content DIR: a security_content checkout or a Splunk app folder; --rules: Sigma CloudTrail
rules. run and explain take a detection's or rule's name or id with the same flags (docs/content.md).

PATH may be a file (.json, .json.gz, JSON lines, JSON array, Parquet), a folder (walked
recursively, e.g. AWSLogs/), or a glob ('logs/**/*.json.gz').

--earliest and --latest take ISO-8601 times, epoch seconds or relative times (-4d, -24h@h, @d),
counted back from --now (default: the clock). earliest=/latest= in a search replace them for that
search, as Splunk's replace its time picker (a note says so).

--dedup-events keeps one copy of each eventID loaded more than once (an account with several
trails delivers global events once per trail); without it searches count every copy, as Splunk
does, and the load summary says how many there are.

--addon 7.10|5 picks which Splunk Add-on for AWS the add-on fields and data models follow
(default 7.10; 5 puts AssumeRole, GetSessionToken and GetFederationToken in Authentication).

spelunk --version prints the version.

Exit status: 0 success, 1 runtime error or files that could not be read, 2 usage or
syntax error.
`;

export function version(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
