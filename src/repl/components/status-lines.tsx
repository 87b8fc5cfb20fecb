// Live one-line statuses: data loading, a running search, reverse history search.
import { Text } from 'ink';
import type { LoadProgress } from '../../engine/types.js';
import type { HistorySearch } from '../prompt-input.js';
import { visible } from '../display.js';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function LoadStatus({ progress }: { progress: LoadProgress | null }) {
  if (!progress) return <Text dimColor>loading…</Text>;
  const p = progress;
  const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0;
  return (
    <Text color="cyan">
      {`loading ${p.filesDone.toLocaleString('en-US')}/${p.filesTotal.toLocaleString('en-US')} files · ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB (${pct}%) · ${p.events.toLocaleString('en-US')} events · ${(p.elapsedMs / 1000).toFixed(1)} s`}
    </Text>
  );
}

export function RunningStatus({ running }: { running: { started: number; rows: number; cancelling: boolean } }) {
  const s = ((performance.now() - running.started) / 1000).toFixed(1);
  if (running.cancelling) return <Text color="yellow">{`cancelling… ${s} s`}</Text>;
  return <Text color="cyan">{`running… ${s} s${running.rows ? ` · ${running.rows.toLocaleString('en-US')} rows` : ''} · Ctrl-C cancels`}</Text>;
}

export function HistorySearchLine({ search }: { search: HistorySearch }) {
  return (
    <Text>
      <Text color="yellow">{`(reverse-i-search)'${visible(search.query)}': `}</Text>
      <Text>{search.match === null ? '' : visible(search.match.replace(/\n/g, ' ⏎ '))}</Text>
    </Text>
  );
}
