// The investigations a row can start, with the values they would be given.
import { Box, Text } from 'ink';
import type { PivotMenu as Menu } from '../controller.js';
import { visible } from '../display.js';

export function PivotMenu({ menu }: { menu: Menu }) {
  return (
    <Box flexDirection="column">
      <Text bold>{`pivot from row ${menu.row}:`}</Text>
      {menu.options.map((o, i) => (
        <Text key={i} inverse={i === menu.selected} wrap="truncate-end">
          {visible(`${i + 1}. ${o.query.id}  `)}
          <Text dimColor>{visible(Object.entries(o.params).map(([n, v]) => `${n}=${v} (from ${o.from[n]})`).join(', '))}</Text>
        </Text>
      ))}
      <Text dimColor>↑↓ choose · Enter or 1-9 run · Esc back</Text>
    </Box>
  );
}
