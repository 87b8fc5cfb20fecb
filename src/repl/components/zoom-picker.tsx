// The last search's timeline, with the buckets chosen for :zoom highlighted.
import { Box, Text } from 'ink';
import { histogram, timelineLines, type Timeline } from '../timeline.js';

export function ZoomPicker({ timeline, first, last, describe }: { timeline: Timeline; first: number; last: number; describe: string }) {
  const line = [...histogram(timeline.counts)];
  const a = Math.min(first, last);
  const b = Math.max(first, last);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text color="cyan">{line.slice(0, a).join('')}</Text>
        <Text color="cyan" inverse>{line.slice(a, b + 1).join('')}</Text>
        <Text color="cyan">{line.slice(b + 1).join('')}</Text>
      </Text>
      <Text dimColor wrap="truncate-end">{timelineLines(timeline)[1]!.replace(/ · :zoom narrows$/, '')}</Text>
      <Text bold wrap="truncate-end">{describe}</Text>
      <Text dimColor wrap="truncate-end">← → choose a bucket · Shift-← → (or H L) widen the choice · Home End · Enter zoom in and search again · Esc back</Text>
    </Box>
  );
}
