// Finished output (messages, tables, errors): plain lines, coloured by tone.
import { Box, Text } from 'ink';
import type { OutLine, Tone } from '../session.js';

const TONES: Record<Tone, { color?: string; dimColor?: boolean; bold?: boolean }> = {
  plain: {},
  info: { color: 'green' },
  warn: { color: 'yellow' },
  error: { color: 'red' },
  dim: { dimColor: true },
  heading: { bold: true },
};

export function OutputLines({ lines }: { lines: OutLine[] }) {
  // One <Text> per physical line, so a long line is cut at the terminal's edge, not wrapped.
  const physical = lines.flatMap((l) => l.text.split('\n').map((text) => ({ text, tone: l.tone })));
  return (
    <Box flexDirection="column">
      {physical.map((l, i) => (
        <Text key={i} wrap="truncate-end" {...TONES[l.tone ?? 'plain']}>
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}
