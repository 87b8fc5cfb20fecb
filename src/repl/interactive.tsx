// Mount the Ink app on the terminal and wait for the session to end.
import { render } from 'ink';
import { hangUp } from '../engine/scratch.js';
import { App, OutputQueue } from './components/app.js';
import { ReplController } from './controller.js';
import type { History } from './history.js';
import type { Session } from './session.js';

export function createRepl(session: Session, history: History, screen: { width: () => number; height: () => number }) {
  const output = new OutputQueue();
  let onExit = () => {};
  const controller = new ReplController(session, history, output.push, () => onExit(), screen);
  return { controller, output, setOnExit: (f: () => void) => (onExit = f) };
}

export async function startInteractive(session: Session, history: History, paths: string[], sampleNote: string | null): Promise<number> {
  const screen = { width: () => process.stdout.columns || 100, height: () => process.stdout.rows || 24 };
  const { controller, output } = createRepl(session, history, screen);
  // A terminal closed under the REPL fails its reads with EIO, as soon as or before SIGHUP comes: a hang-up.
  process.stdin.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EIO') throw err;
    hangUp();
  });
  const app = render(<App controller={controller} output={output} />, { exitOnCtrlC: false });
  const started = controller.start(paths, sampleNote);
  await app.waitUntilExit();
  // Left during the load: the engine is closed only once the interrupted load has stopped.
  await started;
  // A failed search in an interactive session was shown and dealt with; leaving is a success.
  return 0;
}
