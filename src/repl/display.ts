// Data on its way to the terminal: the REPL's views use the same escaping as the command line's
// tables and messages (src/cli/terminal-text.ts), one definition for both.
export { visible, visibleLines } from '../cli/terminal-text.js';
