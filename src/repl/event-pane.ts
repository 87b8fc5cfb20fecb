// The event viewer as the REPL's controller runs it: which row's event is open, reading an event
// its row only names by eventID, stepping to the next row's, and what its keys ask for (copy,
// add the value to the search). Drawn by components/event-viewer.tsx.
import { formatTime } from '../cli/format.js';
import { EventViewer, type ViewerAction } from './event-viewer.js';
import type { KeyPress } from './keys.js';
import { describeError, type OutLine } from './outcome.js';
import type { ResultBrowser } from './browser.js';
import { rowEvent } from './result-view.js';
import type { Session } from './session.js';
import { visible } from './display.js';

/** What the pane needs of the controller. */
export interface PaneHost {
  readonly session: Session;
  readonly screen: { width: () => number; height: () => number };
  mode: string;
  browse: ResultBrowser | null;
  notice: string | null;
  changed(): void;
  showNotice(text: string): void;
  printLines(lines: OutLine[]): void;
  terminalWrite: (data: string) => void;
  applyFilter(field: string, value: string, exclude: boolean, base: string | undefined): Promise<void> | void;
}

export class EventPane {
  viewer: EventViewer | null = null;
  /** The row an event is being read for (keys arriving meanwhile step from it). */
  private opening: number | null = null;
  private seq = 0;
  /** Where Esc in the event viewer goes back to. */
  private back: 'prompt' | 'browse' = 'prompt';

  constructor(private readonly host: PaneHost) {}

  /**
   * Lines the event viewer's body may take: the screen less its title, status and notice lines
   * and one more. A live frame as tall as the screen makes Ink clear it and print every line
   * of the session again.
   */
  private height(): number {
    return Math.max(3, this.host.screen.height() - 4);
  }

  page() {
    return this.viewer!.page(this.host.screen.width(), this.height());
  }

  /** Row `index` (from 0) of the last result as an event: its `_raw`, else the event its eventID names, else its fields. */
  async open(index: number, back: 'prompt' | 'browse'): Promise<void> {
    const host = this.host;
    const r = host.session.last;
    if (!r) return host.showNotice('no result yet: run a search first');
    const row = r.rows[index];
    if (!row) return host.showNotice(`the last result has ${r.rows.length} row${r.rows.length === 1 ? '' : 's'}, not ${index + 1}`);
    const seq = ++this.seq;
    let event = rowEvent(row);
    if (!event && typeof row.eventID === 'string') {
      this.opening = index;
      try {
        event = await host.session.eventById(row.eventID);
      } catch (err) {
        host.notice = describeError(err);
      }
      // Another row was asked for while this one was read: that one opens instead.
      if (seq !== this.seq) return;
      this.opening = null;
    }
    const when = typeof row._time === 'number' ? ` · ${formatTime(row._time, 'human')} UTC` : '';
    const title = event
      ? `event ${index + 1} of ${r.rows.length.toLocaleString('en-US')}${when}`
      : `row ${index + 1} of ${r.rows.length.toLocaleString('en-US')} (the search's own fields: the row has no event behind it)`;
    const fields = Object.fromEntries(r.columns.filter((c) => row[c] !== null && row[c] !== undefined).map((c) => [c, c === '_time' && typeof row[c] === 'number' ? formatTime(row[c] as number, 'iso') : row[c]]));
    this.viewer = new EventViewer(event ?? fields, title, index, event !== null);
    this.back = back;
    host.mode = 'event';
    host.changed();
  }

  key(k: KeyPress): void {
    this.host.notice = null;
    const action = this.viewer!.key(k, this.host.screen.width(), this.height());
    if (action) return void this.action(action);
    this.host.changed();
  }

  close(): void {
    this.viewer = null;
    this.host.mode = this.back === 'browse' && this.host.browse ? 'browse' : 'prompt';
  }

  private async action(action: ViewerAction): Promise<void> {
    const host = this.host;
    switch (action.kind) {
      case 'close':
        this.close();
        break;
      case 'notice':
        host.notice = action.text;
        break;
      case 'step': {
        const row = (this.opening ?? this.viewer!.row ?? 0) + action.delta;
        if (row < 0 || row >= (host.session.last?.rows.length ?? 0)) {
          host.notice = action.delta > 0 ? 'this is the last row of the result' : 'this is the first row of the result';
          break;
        }
        if (host.browse) host.browse.selected = row;
        return this.open(row, this.back);
      }
      case 'copy':
        // OSC 52 asks the terminal to set the clipboard (tmux needs set-clipboard on); the line
        // in the scrollback is there to select by hand where the terminal refuses.
        host.terminalWrite(`\x1b]52;c;${Buffer.from(action.value, 'utf8').toString('base64')}\x07`);
        host.printLines([{ text: `copied ${action.field}: ${visible(action.value)}`, tone: 'dim' }]);
        host.notice = `copied ${action.field} to the clipboard (if the terminal allows it) and into the scrollback`;
        break;
      case 'filter':
        return host.applyFilter(action.field, action.value, action.exclude, host.session.last?.search);
    }
    host.changed();
  }
}
