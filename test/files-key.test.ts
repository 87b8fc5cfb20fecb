import { describe, expect, it } from 'vitest';
import { filesKey, type CountedFile } from '../src/engine/duplicates.js';

const file = (path: string, over: Partial<CountedFile['entry']> = {}, index = 'main'): CountedFile => ({
  index,
  entry: { path, size: 2311, mtimeMs: 1796521837393.6045, ctimeMs: 1796521837393.6045, ino: 2277650, rows: 8, parquet: '/c/seg-a.parquet', ...over },
});

describe('the key a duplicate count is remembered under', () => {
  it('is the same for the same files, and another when anything about one file differs', () => {
    const files = Array.from({ length: 3000 }, (_, i) => file(`/logs/a/${i}.json.gz`));
    const key = filesKey(files);
    expect(filesKey(files.map((f) => ({ index: f.index, entry: { ...f.entry } })))).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    const changed: Partial<CountedFile['entry']>[] = [
      { path: '/logs/a/x.json.gz' }, { size: 2312 }, { mtimeMs: 1796521837393.6055 }, { ctimeMs: 1 }, { ino: 1 }, { rows: 9 }, { parquet: null }, { parquet: '/c/seg-b.parquet' },
    ];
    const keys = new Set([key]);
    for (const over of changed) {
      const other = [...files];
      other[2999] = file(other[2999]!.entry.path, over);
      keys.add(filesKey(other));
    }
    const reindexed = [...files];
    reindexed[0] = file(files[0]!.entry.path, {}, 'other');
    keys.add(filesKey(reindexed));
    keys.add(filesKey(files.slice(1)));
    keys.add(filesKey([files[1]!, files[0]!, ...files.slice(2)]));
    expect(keys.size).toBe(changed.length + 4);
  });

  it('keeps an index name apart from the path after it', () => {
    expect(filesKey([file('/b', {}, 'a')])).not.toBe(filesKey([file('/b', {}, 'a"\u0000/b')]));
    expect(filesKey([file('/x', {}, 'a\u0000')])).not.toBe(filesKey([file('\u0000/x', {}, 'a')]));
  });
});
