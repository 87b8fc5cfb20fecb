// scratch: where the JS row time goes
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { rowDecoder } from '../../src/engine/rows.js';
const arg = (n: string) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : undefined; };
const engine = await Engine.open({ cacheDir: arg('cache'), stateDir: mkdtempSync(path.join(tmpdir(), 'sp5-')) });
await engine.load([arg('data')!]);
const conn = (engine as any).conn;
const compiled = (await engine.prepareWithData(arg('spl')!)).compiled;
const dec = await rowDecoder(conn, compiled.sql, compiled.columns);
for (const mode of ['fetch', 'items', 'parse', 'full', 'fetch', 'items', 'parse', 'full']) {
  const c = process.cpuUsage();
  const r = await conn.stream(dec.sql);
  let n = 0;
  for (;;) {
    const chunk = await r.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    if (mode === 'fetch') { n += chunk.rowCount; continue; }
    if (mode === 'full') { n += dec.decode(chunk).length; continue; }
    const v = chunk.getColumnVector(0);
    for (let j = 0; j < chunk.rowCount; j++) { const s = v.getItem(j) as string; if (mode === 'parse') JSON.parse(s); n++; }
  }
  const u = process.cpuUsage(c);
  console.log(mode, n, (u.user + u.system) / 1e6);
}
engine.close();
