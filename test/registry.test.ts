// The command registry: one entry per command, typed options checked at their caret, and options
// Splunk has but spelunk does not run refused by name instead of ignored.
import { describe, expect, it } from 'vitest';
import { SplError } from '../grammar/diagnostics.js';
import { COMMAND_NAMES, COMMAND_SPECS, commandSpec, REFUSED, UNSUPPORTED } from '../src/compiler/commands/registry.js';
import { SPLUNK_COMMANDS } from '../src/compiler/commands/splunk-commands.js';
import { sqlOf } from './helpers.js';

function errorOf(spl: string): { message: string; at: string } {
  try {
    sqlOf(spl);
  } catch (err) {
    if (err instanceof SplError) return { message: err.message, at: spl.slice(err.diagnostic.span.start, err.diagnostic.span.end) };
    throw err;
  }
  throw new Error(`compiled: ${spl}`);
}

describe('the command registry', () => {
  it('refuses every Splunk command it lacks as not supported yet, by name, never as unknown', () => {
    expect(UNSUPPORTED.size).toBeGreaterThan(50);
    for (const name of SPLUNK_COMMANDS) {
      if (commandSpec(name)) continue;
      const { message, at } = errorOf(`* | ${name} x`);
      expect(at, name).toBe(name);
      expect(message, name).toBe(REFUSED[name] ?? `${name} is a Splunk command that spelunk does not support yet`);
    }
    expect(errorOf('* | transactionz x').message).toBe('unknown command "transactionz"');
    // Every command spelunk runs is one of Splunk's (no invented names).
    expect(COMMAND_NAMES.filter((n) => !SPLUNK_COMMANDS.includes(n))).toEqual([]);
  });

  it('names each command once, aliases included', () => {
    expect(new Set(COMMAND_NAMES).size).toBe(COMMAND_NAMES.length);
    expect(commandSpec('bucket')).toBe(commandSpec('bin'));
  });

  it('gives every command a reference entry whose example compiles', () => {
    for (const spec of COMMAND_SPECS) {
      expect(spec.reference.summary.length, spec.name).toBeGreaterThan(10);
      if (/lookup/.test(spec.reference.example)) continue;
      expect(() => sqlOf(spec.reference.example), spec.reference.example).not.toThrow();
    }
  });

  it('checks typed options at their value', () => {
    expect(errorOf('* | head limit=ten')).toEqual({ message: 'limit= must be a whole number, not "ten"', at: 'ten' });
    expect(errorOf('* | timechart useother=maybe count by user')).toEqual({ message: 'useother= takes true or false, not "maybe"', at: 'maybe' });
    expect(errorOf('* | rex mode=perl "(?<a>x)"')).toEqual({ message: 'mode= takes sed, not "perl"', at: 'perl' });
  });

  it('refuses words after head\'s and tail\'s count instead of dropping them', () => {
    // Splunk's head takes one count (or a limit=) and an eval expression in parentheses
    // (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/head):
    // `head 10 errorCode=AccessDenied` ran as `head 10`, unfiltered, in silence.
    expect(errorOf('* | head 10 errorCode=AccessDenied')).toEqual({ message: 'head takes one number of results; option errorCode= is not one of its arguments', at: 'errorCode=AccessDenied' });
    expect(errorOf('* | head 2 foo')).toEqual({ message: 'head takes one number of results; "foo" is not one of its arguments', at: 'foo' });
    expect(errorOf('* | head limit=2 5')).toEqual({ message: 'head takes one number of results; "5" is not one of its arguments', at: '5' });
    expect(errorOf('* | tail 3 x')).toEqual({ message: 'tail takes one number of results; "x" is not one of its arguments', at: 'x' });
    expect(() => sqlOf('* | head 3 | tail limit=2')).not.toThrow();
  });

  it('refuses an option it would otherwise ignore, and accepts asking for the default', () => {
    expect(errorOf('* | timechart partial=f count').message).toMatch(/^timechart partial=f is not supported/);
    expect(() => sqlOf('* | timechart partial=t count')).not.toThrow();
    expect(errorOf('* | chart bins=10 count over x').message).toMatch(/^chart bins= is not supported/);
    expect(errorOf('* | top useother=t user').message).toMatch(/^top useother= is not supported/);
    expect(errorOf('* | chart span=1h count over _time').message).toMatch(/^chart span= is not supported: bin the over-field first/);
    expect(() => sqlOf('* | dedup keepevents=false user')).not.toThrow();
    expect(() => sqlOf('| makeresults splunk_server=local')).not.toThrow();
  });
});
