// Finished output (messages, tables, errors): plain lines, coloured by tone.
import { Box, Text } from 'ink';
import type { OutLine, Tone } from '../outcome.js';
import { visible } from '../display.js';

const TONES: Record<Tone, { color?: string; dimColor?: boolean; bold?: boolean }> = {
  plain: {},
  info: { color: 'green' },
  warn: { color: 'yellow' },
  error: { color: 'red' },
  dim: { dimColor: true },
  heading: { bold: true },
};

export function OutputLines({ lines }: { lines: OutLine[] }) {
  // Each line reaches the terminal whole: the terminal wraps a long one (the echoed search, SQL,
  // a message), and copying it gives the line back. Tables are fitted to the width already.
  // Messages quote values, file names and content: their control characters are shown, not sent.
  const physical = lines.flatMap((l) => l.text.split('\n').map((text) => ({ text: visible(text), tone: l.tone })));
  // As wide as the longest line (wide characters count two), so Ink lays each out unbroken.
  const width = Math.max(1, ...physical.map((l) => [...l.text].length * 2));
  return (
    <Box flexDirection="column" width={width}>
      {physical.map((l, i) => (
        <Text key={i} wrap="truncate-end" {...TONES[l.tone ?? 'plain']}>
          {l.text === '' ? ' ' : l.text}
        </Text>
      ))}
    </Box>
  );
}
