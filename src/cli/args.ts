// Command-line arguments: `--flag value`, `--flag=value`, and flags that take every following
// non-flag argument (`--data a.json.gz b/ 'c/**/*.json'`).

export class UsageError extends Error {}

export interface FlagSpec {
  /** 'bool' takes no value; 'one' one value; 'many' repeatable, each value once; 'rest' all following non-flag words. */
  kind: 'bool' | 'one' | 'many' | 'rest';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    const values = flags.get(name) ?? [];
    flags.set(name, values);
    if (s.kind === 'bool') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      values.push('true');
      continue;
    }
    if (eq > 0) {
      values.push(arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value`);
      values.push(next);
      i++;
    }
    if (s.kind === 'rest') {
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) values.push(argv[++i]!);
    }
    if (s.kind === 'one' && values.length > 1) throw new UsageError(`--${name} given more than once`);
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.[0];
}

export function flagList(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function has(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}
