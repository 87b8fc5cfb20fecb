// The last result, a page at a time: the selected row highlighted, columns scrolled sideways.
import { Box, Text } from 'ink';
import type { Page } from '../table-layout.js';
import { visible } from '../display.js';

export function ResultBrowser({ page, total, truncated }: { page: Page; total: number; truncated: boolean }) {
  const w = page.window;
  const sideways = [w.hiddenLeft ? `← ${w.hiddenLeft} column${w.hiddenLeft === 1 ? '' : 's'}` : '', w.hiddenRight ? `${w.hiddenRight} more →` : ''].filter(Boolean).join('  ');
  return (
    <Box flexDirection="column">
      {page.lines.map((l, i) => (
        <Text key={i} wrap="truncate-end" bold={l.kind === 'header'} dimColor={l.kind === 'rule'} inverse={l.kind === 'selected'}>
          {visible(l.text) || ' '}
        </Text>
      ))}
      <Text dimColor>
        {`rows ${page.from + 1}-${page.to} of ${total.toLocaleString('en-US')}${truncated ? ' (capped)' : ''}${sideways ? ' · ' + sideways : ''} · ↑↓ PgUp PgDn Home End ←→ · Enter event · p pivot · f fields · z zoom · Esc back`}
      </Text>
    </Box>
  );
}
