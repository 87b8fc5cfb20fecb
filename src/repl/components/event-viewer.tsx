// One event, pretty-printed and coloured, the selected value highlighted.
import { Box, Text } from 'ink';
import type { Piece } from '../event-view.js';
import type { ViewerPage } from '../event-viewer.js';

const COLOURS: Record<Piece['tone'], { color?: string; dimColor?: boolean }> = {
  key: { color: 'cyan' },
  string: { color: 'green' },
  number: { color: 'yellow' },
  literal: { color: 'magenta' },
  punct: { dimColor: true },
  fold: { color: 'blue' },
  plain: {},
};

export function EventViewerView({ title, page, field }: { title: string; page: ViewerPage; field: string }) {
  const selectedNode = page.selected >= 0 ? page.lines[page.selected]!.node : null;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">{title}</Text>
      {page.lines.map((l, i) => {
        const selected = selectedNode !== null && l.node === selectedNode && (i === page.selected || l.part > 0);
        return (
          <Text key={i} wrap="truncate-end">
            {l.pieces.map((p, j) => (
              <Text key={j} {...COLOURS[p.tone]} inverse={selected && p.tone !== 'plain'}>
                {p.text}
              </Text>
            ))}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate-end">
        {`${field ? field + ' · ' : ''}lines ${page.top + 1}-${page.top + page.lines.length} of ${page.total} · ↑↓ move · → unfold · ← fold · * all · + add to search · - exclude · c copy · [ ] previous/next · Esc back`}
      </Text>
    </Box>
  );
}
