// The candidates Tab found, a window of them around the chosen one.
import { Box, Text } from 'ink';
import type { CompletionMenu as Menu } from '../prompt-input.js';
import { visible } from '../display.js';

const VISIBLE = 8;

export function CompletionMenu({ menu }: { menu: Menu }) {
  const n = menu.candidates.length;
  const first = Math.max(0, Math.min(menu.selected - Math.floor(VISIBLE / 2), n - VISIBLE));
  const shown = menu.candidates.slice(first, first + VISIBLE);
  return (
    <Box flexDirection="column">
      {shown.map((c, i) => {
        const selected = first + i === menu.selected;
        return (
          <Text key={c.label + i} inverse={selected} wrap="truncate-end">
            {'  '}
            <Text color={c.kind === 'command' || c.kind === 'aggregate' ? 'cyan' : c.kind === 'function' ? 'blue' : c.kind === 'macro' ? 'yellow' : c.kind === 'value' ? 'green' : undefined}>{visible(c.label)}</Text>
            <Text dimColor>{visible(`  ${c.kind}${c.detail ? ': ' + c.detail : ''}`)}</Text>
          </Text>
        );
      })}
      <Text dimColor>{`  ${n} match${n === 1 ? '' : 'es'}${n > VISIBLE ? ` (${first + 1}-${first + shown.length})` : ''} · Tab next · Shift-Tab previous · Esc undo`}</Text>
    </Box>
  );
}
