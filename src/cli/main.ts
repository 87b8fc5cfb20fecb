// The spelunk command line: a thin shell over the engine. Exit status 0 on success, 2 on a usage
// or syntax error, 1 on a runtime error; messages go to stderr, results to stdout.
import { renderDiagnostic, SplError } from '../../grammar/diagnostics.js';
import { EngineError } from '../engine/engine-error.js';
import { hangUp, removeOnSignals } from '../engine/scratch.js';
import { UsageError } from './args.js';
import { visibleLines } from './terminal-text.js';
import { USAGE, version } from './usage.js';

export type CliCommand = (argv: string[]) => Promise<number>;

const write = (text: string): void => void process.stdout.write(text);

const CLI_COMMANDS: Record<string, CliCommand> = {
  // Loaded when used: --help and --version need neither the parser nor DuckDB.
  run: async (argv) => (await import('./commands.js')).runCommand(argv),
  explain: async (argv) => (await import('./commands.js')).explainCommand(argv),
  load: async (argv) => (await import('./commands.js')).loadCommand(argv),
  queries: async (argv) => (await import('./hunt.js')).queriesCommand(argv),
  hunt: async (argv) => (await import('./hunt.js')).huntCommand(argv),
  // Loaded on demand so that non-interactive commands never load Ink or React.
  repl: async (argv) => (await import('../repl/command.js')).replCommand(argv),
};

/** Print an error the way a person can act on it; returns the exit status. */
function reportError(err: unknown): number {
  // Messages quote searches, values and file names: their control characters are shown.
  const say = (text: string): void => void process.stderr.write(visibleLines(text) + '\n');
  if (err instanceof UsageError) {
    say(`spelunk: ${err.message}\n(spelunk --help for usage)`);
    return 2;
  }
  if (err instanceof SplError) {
    say(renderDiagnostic(err.text ?? '', err.diagnostic));
    return 2;
  }
  if (err instanceof EngineError) {
    // DuckDB's message, and under it the command of the search that failed.
    if (err.at) say(`spelunk: search failed: ${err.message}\n${renderDiagnostic(err.at.text, { code: 'bad-argument', message: 'in this command', span: err.at.span }).replace(/^error: /, '')}`);
    else say(`spelunk: search failed: ${err.message}`);
    return 1;
  }
  say(`spelunk: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `spelunk --data logs/` opens the REPL too: options with no command are the REPL's.
    const replArgs = command === 'repl' ? rest : command === undefined || (command.startsWith('--') && command !== '--help' && command !== '--version') ? argv : null;
    if (replArgs) {
      const repl = CLI_COMMANDS.repl;
      if (repl) return await repl(replArgs);
      write(USAGE);
      return command === undefined ? 0 : 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') return write(USAGE), 0;
    if (command === '--version' || command === '-V' || command === 'version') return write(`spelunk ${version()}\n`), 0;
    const handler = CLI_COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return await handler(rest);
  } catch (err) {
    return reportError(err);
  }
}

const invokedDirectly = process.argv[1] && /(?:spelunk(?:\.js)?|main\.[jt]s)$/.test(process.argv[1]);
if (invokedDirectly) {
  // Ctrl-C or a kill during a search that spilled to disk must not leave its scratch behind.
  removeOnSignals();
  // `spelunk run ... | head` closes the pipe early: that is the reader's choice, not an error.
  // EIO on a terminal: it was closed under the REPL, a hang-up. On a file it is a disk's error: reported.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EIO' && stream.isTTY) return hangUp();
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
