// Entry point of the compile worker: loads the TypeScript worker through tsx, as vitest would.
import { tsImport } from 'tsx/esm/api';

await tsImport('./compile-worker.ts', import.meta.url);
