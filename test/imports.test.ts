// The direction of imports (issue 11, HELPERS.md): grammar -> compiler -> engine -> CLI and REPL,
// no module importing one of a later phase, no import circle anywhere (lazy `import()` counts),
// and only the engine talks to DuckDB.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** Each module's imports of other modules of the project: static, re-exports and lazy, type-only ones left out. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of [...sources(join(ROOT, 'grammar')), ...sources(join(ROOT, 'src'))]) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      if (m[1]) continue;
      const target = resolve(dirname(file), (m[2] ?? m[3])!).replace(/\.js$/, '');
      const found = ['.ts', '.tsx'].map((ext) => target + ext).find((p) => { try { return statSync(p).isFile(); } catch { return false; } });
      if (found) deps.push(relative(ROOT, found));
    }
    graph.set(relative(ROOT, file), deps);
  }
  return graph;
}

/** Circles of modules (strongly connected components of more than one module, or one importing itself). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(part.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const PHASES = ['grammar/', 'src/compiler/', 'src/engine/', 'src/cli/|src/repl/'];
const phase = (file: string) => PHASES.findIndex((p) => p.split('|').some((x) => file.startsWith(x)));

describe('imports', () => {
  const graph = importGraph();

  it('finds the modules and their imports', () => {
    expect(graph.get('src/compiler/compile.ts')).toContain('src/compiler/builder.ts');
    expect(graph.get('src/cli/main.ts')).toContain('src/cli/hunt.ts');
  });

  it('have no circle', () => {
    expect(circles(graph)).toEqual([]);
    // The check finds one when there is one.
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });

  it('go from grammar to compiler to engine to the command line and REPL, never back', () => {
    const back: string[] = [];
    for (const [from, deps] of graph) for (const to of deps) if (phase(to) > phase(from)) back.push(`${from} -> ${to}`);
    expect(back).toEqual([]);
  });

  it('are modules of about 400 lines at most (issue 11): a longer one is split by what it does', () => {
    const long = [...graph.keys()].map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 425);
    expect(long).toEqual([]);
  });

  it('export only what another module, a test, a script or the benchmark uses', () => {
    const others = [...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'scripts'))].map((f) => readFileSync(f, 'utf8'));
    const texts = new Map([...graph.keys()].map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
    const unused: string[] = [];
    for (const [file, text] of texts) {
      for (const m of text.matchAll(/^export (?:async )?(?:function\*?|const|class|let|enum|abstract class) (\w+)/gm)) {
        const name = new RegExp(`\\b${m[1]}\\b`);
        const used = others.some((t) => name.test(t)) || [...texts].some(([f, t]) => f !== file && name.test(t));
        if (!used) unused.push(`${file}: ${m[1]}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('reach DuckDB from the engine only', () => {
    const users = [...graph.keys()].filter((f) => readFileSync(join(ROOT, f), 'utf8').includes("'@duckdb/node-api'"));
    expect(users.length).toBeGreaterThan(0);
    expect(users.filter((f) => !f.startsWith('src/engine/'))).toEqual([]);
  });
});
