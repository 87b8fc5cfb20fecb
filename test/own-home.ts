// Tests never read or write the user's own cache, lookups or history, and each test file has its
// own: files run side by side (one per core), and two writing the same lookup, history or cache at
// once would read each other's rows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'spelunk-test-file-'));
process.env['XDG_CACHE_HOME'] = join(home, 'cache');
process.env['XDG_STATE_HOME'] = join(home, 'state');
