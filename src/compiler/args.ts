// Reading the arguments of list-style commands: `key=value` options anywhere, positional words,
// calls, `as` renames, commas as optional separators.
import type { Arg, Command, Span } from '../../grammar/ast.js';
import type { Builder } from './builder.js';
import type { OptionType, Options } from './commands/spec.js';

type Generic = Extract<Command, { kind: 'generic' }>;

export interface OptionValue {
  value: string;
  span: Span;
  op: string;
}

export class Args {
  readonly options = new Map<string, OptionValue>();
  /** Positional arguments in order, commas removed. */
  readonly items: Arg[] = [];

  constructor(readonly cmd: Generic, readonly b: Builder, spec: Options = {}) {
    for (const arg of cmd.args) {
      if (arg.kind === 'comma') continue;
      const key = arg.kind === 'option' ? arg.key.toLowerCase() : '';
      const type = arg.kind === 'option' && arg.op === '=' && Object.hasOwn(spec, key) ? spec[key]! : undefined;
      if (type !== undefined && arg.kind === 'option') {
        const value = argText(arg.value);
        checkOption(b, cmd.name, key, type, value, arg.value.span);
        this.options.set(key, { value, span: arg.value.span, op: arg.op });
        continue;
      }
      this.items.push(arg);
    }
  }

  option(key: string): string | undefined {
    return this.options.get(key)?.value;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.option(key);
    if (v === undefined) return fallback;
    return TRUE.test(v);
  }

  int(key: string, fallback: number): number {
    const o = this.options.get(key);
    if (!o) return fallback;
    const n = Number(o.value);
    if (!Number.isInteger(n) || n < 0) throw this.b.err('bad-argument', `${key}= must be a whole number, not ${JSON.stringify(o.value)}`, o.span);
    return n;
  }

  /** Positional words (calls and subsearches are an error here). */
  words(): { value: string; span: Span; quoted: boolean }[] {
    return this.items.map((a) => {
      if (a.kind !== 'word') throw this.b.err('bad-argument', `unexpected ${describe(a)} in ${this.cmd.name}`, a.span);
      return { value: a.value, span: a.span, quoted: a.quoted };
    });
  }

  /** Split the positional items at a keyword (`by`, `over`, `output`...), case-insensitive. */
  splitAt(keyword: string): [Arg[], Arg[] | null] {
    const i = this.items.findIndex((a) => a.kind === 'word' && !a.quoted && a.value.toLowerCase() === keyword);
    if (i < 0) return [this.items, null];
    return [this.items.slice(0, i), this.items.slice(i + 1)];
  }
}

const TRUE = /^(t|true|1|yes)$/i;
const BOOL = /^(t|true|1|yes|f|false|0|no)$/i;

/** An option's value against its type: a wrong value or an option spelunk does not run is an error at its caret. */
function checkOption(b: Builder, command: string, key: string, type: OptionType, value: string, span: Span): void {
  if (type === 'text') return;
  if (type === 'bool') {
    if (!BOOL.test(value)) throw b.err('bad-argument', `${key}= takes true or false, not ${JSON.stringify(value)}`, span);
    return;
  }
  if (type === 'int') {
    if (!/^\d+$/.test(value)) throw b.err('bad-argument', `${key}= must be a whole number, not ${JSON.stringify(value)}`, span);
    return;
  }
  if (Array.isArray(type)) {
    if (!type.includes(value.toLowerCase())) throw b.err('bad-argument', `${key}= takes ${type.join(', ')}, not ${JSON.stringify(value)}`, span);
    return;
  }
  // Asking for the default (`keepevents=false`) is fine; anything else would be ignored.
  if ('unsupported' in (type as object) && !/^(f|false|0|no)$/i.test(value)) {
    throw b.err('bad-argument', `${command} ${key}= is not supported: ${(type as { unsupported: string }).unsupported}`, span);
  }
}

export function argText(a: Arg): string {
  switch (a.kind) {
    case 'word': return a.value;
    case 'option': return `${a.key}${a.op}${argText(a.value)}`;
    case 'call': return `${a.name}(${a.args.map(argText).join(' ')})`;
    case 'comma': return ',';
    case 'subsearch': return '[...]';
    case 'template': return `[${a.text}]`;
    case 'expr': return '...';
    case 'clause': return `${a.keyword} ...`;
  }
}

export function describe(a: Arg): string {
  switch (a.kind) {
    case 'word': return JSON.stringify(a.value);
    case 'option': return `option ${a.key}${a.op}`;
    case 'call': return a.name ? `${a.name}(...)` : '(...)';
    case 'comma': return "','";
    case 'subsearch': return 'subsearch';
    case 'template': return 'a template';
    case 'expr': return 'an expression';
    case 'clause': return `a ${a.keyword} clause`;
  }
}

/** Field names from words, allowing `as` renames: [[source, target]]. */
export function fieldList(items: Arg[], b: Builder, what: string): { name: string; as?: string; span: Span }[] {
  const out: { name: string; as?: string; span: Span }[] = [];
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a field name in ${what}, found ${describe(a)}`, a.span);
    const next = items[i + 1];
    if (next && next.kind === 'word' && !next.quoted && next.value.toLowerCase() === 'as') {
      const target = items[i + 2];
      if (!target || target.kind !== 'word') throw b.err('bad-argument', `expected a new name after "as" in ${what}`, next.span);
      out.push({ name: a.value, as: target.value, span: a.span });
      i += 2;
    } else {
      out.push({ name: a.value, span: a.span });
    }
  }
  return out;
}
