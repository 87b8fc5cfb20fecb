// The interactive session: finished output in <Static> (it goes to the scrollback once and is
// not kept), below it the one live part for the current mode.
import { Box, Static, Text, useApp, useStdout } from 'ink';
import { useEffect, useReducer, useState } from 'react';
import type { ReplController } from '../controller.js';
import { visible } from '../display.js';
import type { OutLine } from '../outcome.js';
import { useKeys } from '../use-keys.js';
import { CompletionMenu } from './completion-menu.js';
import { EventViewerView } from './event-viewer.js';
import { ZoomPicker } from './zoom-picker.js';
import { FieldSidebarView } from './field-sidebar.js';
import { describeBuckets } from '../zoom.js';
import { OutputLines } from './output-lines.js';
import { PivotMenu } from './pivot-menu.js';
import { PromptLine } from './prompt-line.js';
import { ResultBrowser } from './result-browser.js';
import { HistorySearchLine, LoadStatus, RunningStatus } from './status-lines.js';

/** Printed output waiting for <Static>; the app takes it and the queue forgets it. */
export class OutputQueue {
  private pending: OutLine[][] = [];
  private listener: (() => void) | null = null;
  push = (lines: OutLine[]): void => {
    this.pending.push(lines);
    this.listener?.();
  };
  take(): OutLine[][] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
  listen(listener: () => void): void {
    this.listener = listener;
  }
}

interface Printed {
  id: number;
  lines: OutLine[];
}

/** Blocks per <Static> instance before a fresh one takes over, so state never grows with the session. */
const STATIC_BATCH = 20;
let nextId = 0;

export function App({ controller, output }: { controller: ReplController; output: OutputQueue }) {
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [printed, setPrinted] = useState<{ key: number; items: Printed[] }>({ key: 0, items: [] });
  const { exit } = useApp();
  const { write } = useStdout();
  useEffect(() => {
    controller.terminalWrite = write;
  }, [controller, write]);

  useEffect(() => controller.subscribe(redraw), [controller]);
  useEffect(() => {
    const flush = () => {
      const blocks = output.take().map((lines) => ({ id: nextId++, lines }));
      if (blocks.length === 0) return;
      setPrinted((p) => (p.items.length >= STATIC_BATCH ? { key: p.key + 1, items: blocks } : { key: p.key, items: [...p.items, ...blocks] }));
    };
    output.listen(flush);
    flush();
  }, [output]);
  useEffect(() => {
    if (controller.mode === 'exiting') exit();
  });
  useKeys((k) => controller.handleKey(k));

  const c = controller;
  return (
    <Box flexDirection="column">
      <Static key={printed.key} items={printed.items}>
        {(item) => <OutputLines key={item.id} lines={item.lines} />}
      </Static>
      {c.mode === 'loading' && <LoadStatus progress={c.progress} />}
      {/* The search itself is already echoed in the scrollback: only its status is live. */}
      {c.mode === 'running' && c.running && <RunningStatus running={c.running} />}
      {(c.mode === 'prompt' || ((c.mode === 'loading' || c.mode === 'running') && c.editor.text !== '')) && <PromptLine label={c.promptLabel()} editor={c.editor} />}
      {c.mode === 'prompt' && c.menu && <CompletionMenu menu={c.menu} />}
      {c.mode === 'history-search' && c.historySearch && <HistorySearchLine search={c.historySearch} />}
      {c.mode === 'browse' && c.browse && <ResultBrowser page={c.page()} total={c.browse.table.rows.length} truncated={c.browse.truncated} />}
      {c.mode === 'zoom' && c.zoomPick && c.session.last?.timeline && (
        <ZoomPicker timeline={c.session.last.timeline} first={c.zoomPick.anchor} last={c.zoomPick.cursor} describe={describeBuckets(c.session, c.zoomPick.anchor, c.zoomPick.cursor)} />
      )}
      {c.mode === 'fields' && c.sidebar && (
        <FieldSidebarView stats={c.sidebar.stats} page={c.sidebar.page(c.sidebarHeight())} width={c.screen.width()} progress={c.sidebar.computing ? c.session.engine.progress(c.sidebar.stats.ahead) : null} />
      )}
      {c.mode === 'event' && c.viewer && <EventViewerView title={c.viewer.title} page={c.viewerPage()} field={c.viewer.selectedNode()?.field ?? ''} />}
      {c.mode === 'pivot' && c.pivot && <PivotMenu menu={c.pivot} />}
      {c.notice && c.mode !== 'exiting' && <Text color="yellow">{visible(c.notice)}</Text>}
    </Box>
  );
}
