import { Engine } from '../../src/engine/engine.js';
const e = await Engine.open({});
const p = e.prepare(process.argv[2]!);
const fns = new Set<string>();
const walk = (x: any) => { if (!x || typeof x !== 'object') return; if (x.kind === 'call') fns.add(x.fn); for (const v of Object.values(x)) walk(v); };
for (const s of (p.compiled as any).plan.steps) { const st = s.step; walk(st.where ?? st.condition ?? st.columns); console.log(st.id, st.kind, JSON.stringify(st.where ?? st.condition ?? '').slice(0, 300)); }
console.log([...fns].join(' '));
e.close();
