#!/usr/bin/env node
// React (under Ink) loads its development build unless NODE_ENV says production: about twice the
// render cost of every keystroke's frame, and checks meant for a UI's developers. A NODE_ENV the
// user set is kept. Set before main.js is imported: React reads it once, when first loaded.
process.env.NODE_ENV ??= 'production';
await import('../dist/src/cli/main.js');
