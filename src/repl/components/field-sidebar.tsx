// The fields of the last search: coverage, distinct values, a field's top values unfolded.
import { Box, Text } from 'ink';
import { visible } from '../display.js';
import { firstRowsNote, resultsLabel, type FieldEntry, type FieldStats } from '../field-stats.js';
import type { SidebarLine } from '../field-sidebar.js';

const n = (x: number) => x.toLocaleString('en-US');
const fit = (text: string, width: number) => ([...text].length > width ? [...text].slice(0, width - 1).join('') + '…' : text.padEnd(width));
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(part === whole || part * 1000 < whole ? 0 : 1)}%` : '');

/** A field's coverage and distinct count; figures over the first rows only carry `~` (and `≥`). */
function fieldFigures(f: FieldEntry, stats: FieldStats): string {
  const whole = f.firstRows ?? stats.rows ?? 0;
  const cover = `${f.firstRows ? '~' : ''}${pct(f.present, whole)}`.padStart(6);
  const distinct = `${f.firstRows ? '≥' : f.estimated ? '~' : ''}${n(f.distinct)}`.padStart(10);
  return `${cover}  ${distinct}`;
}

/** A value's count (among the first rows, for such a field) and its share. */
function valueFigures(f: FieldEntry, count: number, stats: FieldStats): string {
  const whole = f.firstRows ?? stats.rows ?? 0;
  return `${n(count).padStart(10)}  ${`${f.firstRows ? '~' : ''}${pct(count, whole)}`.padStart(6)}`;
}

export function FieldSidebarView({ stats, page, width, progress }: { stats: FieldStats; page: { lines: SidebarLine[]; selected: number; top: number; total: number }; width: number; progress: number | null }) {
  const names = Math.min(44, Math.max(5, ...stats.fields.map((f) => f.field.length)));
  // A value may take the whole line but its two figures: an ARN is read whole or not at all.
  const values = Math.max(names - 4, width - 4 - 20);
  const note = firstRowsNote(stats);
  const status = stats.stage ? `${stats.stage}${progress === null ? '' : ` ${Math.floor(progress)}%`}… Ctrl-C stops` : stats.stopped ? `stopped: ${stats.stopped}` : `${page.total} lines`;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{`fields of ${visible(stats.search.replace(/\s+/g, ' '))} · ${resultsLabel(stats)}`}</Text>
      <Text dimColor wrap="truncate-end">{`${'field'.padEnd(names)}   cover    distinct${note ? `   (${note})` : ''}`}</Text>
      {page.lines.map((l, i) => {
        const text = l.value
          ? `    ${fit(visible(l.value.value), values)}  ${valueFigures(l.field, l.value.count, stats)}`
          : `${visible(l.field.field).slice(0, names).padEnd(names)}  ${fieldFigures(l.field, stats)}`;
        return (
          <Text key={i} inverse={i === page.selected} color={l.value ? 'green' : undefined} wrap="truncate-end">
            {text.slice(0, width)}
          </Text>
        );
      })}
      <Text color={stats.stage ? 'cyan' : stats.stopped ? 'yellow' : undefined} dimColor={!stats.stage && !stats.stopped} wrap="truncate-end">
        {`${status} · ↑↓ move · → top values · Enter or + add a value to the search · - exclude it · Esc back`}
      </Text>
    </Box>
  );
}
