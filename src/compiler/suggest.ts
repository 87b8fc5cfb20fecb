// "Did you mean": the known names closest to what was typed.

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return prev[b.length]!;
}

/** Up to `limit` known names within a small edit distance of `typed`, closest first. */
export function nearest(typed: string, known: string[], limit = 3): string[] {
  const t = typed.toLowerCase();
  const budget = Math.max(2, Math.floor(t.length / 3));
  return known
    .map((name) => ({ name, d: name.toLowerCase().startsWith(t) && t.length >= 3 ? 0.5 : distance(t, name.toLowerCase()) }))
    .filter((x) => x.d <= budget)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((x) => x.name);
}
