// The interactive session's UI state and key handling, as a plain class: the Ink components only
// draw what it holds. Finished output leaves through `print` (into the terminal's scrollback);
// only the prompt, the running search, and the browser/menus are live state here.
import { formatTime } from '../cli/format.js';
import type { LoadProgress } from '../engine/types.js';
import { commonPrefix, complete, type Candidate } from './completion.js';
import type { History } from './history.js';
import type { KeyPress } from './keys.js';
import { EMPTY, edit, isComplete, verticalMove, type EditorState } from './line-editor.js';
import type { PivotOption } from './pivot.js';
import { ResultBrowser } from './browser.js';
import { EventViewer, type ViewerAction } from './event-viewer.js';
import { displayTable, resultLines, rowEvent } from './result-view.js';
import { addTerm, filterTerm } from './search-edit.js';
import { describeError, type HeldResult, type OutLine, type Outcome, type Session } from './session.js';
import { visible } from './display.js';

export type Mode = 'loading' | 'prompt' | 'running' | 'browse' | 'pivot' | 'history-search' | 'event' | 'zoom' | 'exiting';

/** The buckets chosen in the timeline: from the anchor to the cursor. */
export interface ZoomPick {
  anchor: number;
  cursor: number;
  back: 'prompt' | 'browse';
}

export interface CompletionMenu {
  candidates: Candidate[];
  /** -1: nothing chosen yet (the common prefix was inserted). */
  selected: number;
  start: number;
  end: number;
  base: string;
}

export interface HistorySearch {
  query: string;
  match: string | null;
  index: number;
  original: EditorState;
}

export interface PivotMenu {
  row: number;
  options: PivotOption[];
  selected: number;
  /** Where to go back to on Esc. */
  back: 'prompt' | 'browse';
}

export interface Screen {
  width: () => number;
  height: () => number;
}

/** Home, erase the screen, erase the scrollback (xterm; tmux ignores the last and keeps its history). */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J\x1b[3J';

export class ReplController {
  mode: Mode = 'prompt';
  editor: EditorState = EMPTY;
  menu: CompletionMenu | null = null;
  historySearch: HistorySearch | null = null;
  browse: ResultBrowser | null = null;
  viewer: EventViewer | null = null;
  zoomPick: ZoomPick | null = null;
  /** The row an event is being read for (keys arriving meanwhile step from it). */
  private viewerOpening: number | null = null;
  private viewerSeq = 0;
  /** Where Esc in the event viewer goes back to. */
  private viewerBack: 'prompt' | 'browse' = 'prompt';
  pivot: PivotMenu | null = null;
  progress: LoadProgress | null = null;
  running: { search: string; started: number; rows: number; cancelling: boolean } | null = null;
  /** A one-line note under the prompt (e.g. "press Ctrl-C again to quit"). */
  notice: string | null = null;
  private ctrlCArmed = false;
  private completionSeq = 0;
  private listeners = new Set<() => void>();
  /** How many rows of the last result the scrollback shows: PgDn continues after them. */
  private shownInScrollback: { result: HeldResult; rows: number } | null = null;
  /**
   * Bytes for the terminal itself, outside Ink's frames (clearing the screen): the app points
   * this at Ink's stdout writer, which takes the live frame away first and redraws it after.
   */
  terminalWrite: (data: string) => void = () => {};

  constructor(
    readonly session: Session,
    readonly history: History,
    private readonly print: (lines: OutLine[]) => void,
    private readonly onExit: () => void,
    readonly screen: Screen,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  promptLabel(): string {
    const range = this.session.timeLabel();
    const now = this.session.now === null ? '' : ` @${formatTime(this.session.now, 'iso')}`;
    return range || now ? `spl [${range || 'all'}${now}]> ` : 'spl> ';
  }

  // ---- start ---------------------------------------------------------------------------------

  async start(paths: string[], sampleNote: string | null): Promise<void> {
    this.mode = 'loading';
    this.changed();
    try {
      if (sampleNote) this.print([{ text: sampleNote, tone: 'dim' }]);
      // No paths: the engine was loaded by the caller; the session still learns the fields.
      const report = await this.session.load(paths, (p) => {
        this.progress = p;
        this.changed();
      });
      this.progress = null;
      this.print([...(paths.length ? this.session.describeLoad(report) : []), ...(await this.session.summary())]);
      this.print([{ text: 'Type a search, :help for keys and commands, Tab to complete.', tone: 'dim' }]);
    } catch (err) {
      this.progress = null;
      this.print([{ text: describeError(err), tone: 'error' }]);
    }
    this.mode = 'prompt';
    this.changed();
  }

  // ---- keys ----------------------------------------------------------------------------------

  handleKey(k: KeyPress): void {
    const isCtrlC = k.ctrl && k.name === 'c';
    if (!isCtrlC) this.ctrlCArmed = false;
    switch (this.mode) {
      case 'loading':
        // Typing ahead is fine; the search runs once the data is there.
        if (isCtrlC) return this.exit();
        if (k.name === 'return' && !k.meta) {
          this.notice = 'still loading: Enter once the summary is shown';
          return this.changed();
        }
        return this.promptKey(k);
      case 'running':
        if (isCtrlC && this.running) {
          this.running.cancelling = true;
          this.session.interrupt();
          this.changed();
        }
        return;
      case 'browse': return this.browseKey(k);
      case 'event': return this.viewerKey(k);
      case 'zoom': return this.zoomKey(k);
      case 'pivot': return this.pivotKey(k);
      case 'history-search': return this.historySearchKey(k);
      case 'prompt': return this.promptKey(k);
      case 'exiting': return;
    }
  }

  private setEditor(e: EditorState): void {
    this.editor = e;
    this.changed();
  }

  private promptKey(k: KeyPress): void {
    this.notice = null;
    if (this.menu) {
      if (k.name === 'tab') return this.cycleMenu(k.shift ? -1 : 1);
      if (k.name === 'escape') {
        this.setEditor({ text: this.menu.base, cursor: this.menu.end });
        this.menu = null;
        return this.changed();
      }
      const chosen = this.menu.selected >= 0;
      this.menu = null;
      // Enter on a chosen candidate accepts it; it does not run the search yet.
      if (k.name === 'return' && !k.meta && chosen) return this.changed();
    }
    if (k.ctrl && k.name === 'c') {
      if (this.editor.text) {
        this.history.resetNavigation();
        return this.setEditor(EMPTY);
      }
      if (this.ctrlCArmed) return this.exit();
      this.ctrlCArmed = true;
      this.notice = 'press Ctrl-C again or Ctrl-D to quit';
      return this.changed();
    }
    if (k.ctrl && k.name === 'd') {
      if (!this.editor.text) return this.exit();
      const e = edit(this.editor, { ...k, ctrl: false, name: 'delete' });
      if (e) this.setEditor(e);
      return;
    }
    if (k.ctrl && k.name === 'r') return this.startHistorySearch();
    if (k.ctrl && k.name === 'l') return this.terminalWrite(CLEAR_SCREEN);
    if (k.name === 'tab' && !k.shift) return void this.startCompletion();
    if (k.name === 'return' && !k.meta) {
      if (!isComplete(this.editor.text)) return this.setEditor(edit(this.editor, { ...k, meta: true })!);
      return void this.submit(this.editor.text);
    }
    if ((k.name === 'up' || (k.ctrl && k.name === 'p')) && !k.meta) {
      const moved = verticalMove(this.editor, -1);
      if (moved && !k.ctrl) return this.setEditor(moved);
      const prev = this.history.previous(this.editor.text);
      if (prev !== null) this.setEditor({ text: prev, cursor: prev.length });
      return;
    }
    if ((k.name === 'down' || (k.ctrl && k.name === 'n')) && !k.meta) {
      const moved = verticalMove(this.editor, 1);
      if (moved && !k.ctrl) return this.setEditor(moved);
      const next = this.history.next();
      if (next !== null) this.setEditor({ text: next, cursor: next.length });
      return;
    }
    if ((k.name === 'pageup' || k.name === 'pagedown') && this.session.last) return this.openBrowser(k.name === 'pagedown' ? 'next' : 'first');
    const e = edit(this.editor, k);
    if (e) this.setEditor(e);
  }

  // ---- completion ----------------------------------------------------------------------------

  private async startCompletion(): Promise<void> {
    const seq = ++this.completionSeq;
    const { text, cursor } = this.editor;
    const s = this.session;
    const result = await complete(text, cursor, {
      fields: () => s.fieldNames(),
      macros: () => s.macroNames(),
      queries: () => s.queries().map((q) => ({ id: q.id, title: q.title, params: q.parameters.map((p) => p.name) })),
      values: (field, prefix) => s.values(field, prefix),
    });
    // The user typed on while the engine was asked for values: this answer is stale.
    if (seq !== this.completionSeq || this.editor.text !== text || this.editor.cursor !== cursor || this.mode !== 'prompt') return;
    const { candidates, context } = result;
    if (candidates.length === 0) {
      this.notice = context.kind === 'value' ? `no values of ${context.field} found` : 'no completions';
      return this.changed();
    }
    const start = context.start;
    if (candidates.length === 1) {
      const insert = candidates[0]!.insert;
      return this.setEditor({ text: text.slice(0, start) + insert + text.slice(cursor), cursor: start + insert.length });
    }
    const shared = commonPrefix(candidates.map((c) => c.insert));
    const typed = text.slice(start, cursor);
    let base = text;
    let end = cursor;
    if (shared.length > typed.length && shared.toLowerCase().startsWith(typed.toLowerCase())) {
      base = text.slice(0, start) + shared + text.slice(cursor);
      end = start + shared.length;
      this.editor = { text: base, cursor: end };
    }
    this.menu = { candidates, selected: -1, start, end, base };
    this.changed();
  }

  private cycleMenu(step: 1 | -1): void {
    const m = this.menu!;
    const n = m.candidates.length;
    m.selected = m.selected < 0 ? (step > 0 ? 0 : n - 1) : (m.selected + step + n) % n;
    const insert = m.candidates[m.selected]!.insert;
    this.setEditor({ text: m.base.slice(0, m.start) + insert + m.base.slice(m.end), cursor: m.start + insert.length });
  }

  // ---- history search ------------------------------------------------------------------------

  private startHistorySearch(): void {
    this.historySearch = { query: '', match: null, index: this.history.all.length, original: this.editor };
    this.mode = 'history-search';
    this.changed();
  }

  private historySearchKey(k: KeyPress): void {
    const h = this.historySearch!;
    const find = (before: number) => {
      const found = h.query ? this.history.search(h.query, before) : null;
      if (found) {
        h.match = found.entry;
        h.index = found.index;
      } else if (!h.query) {
        h.match = null;
        h.index = this.history.all.length;
      }
      return found;
    };
    const leave = (editor: EditorState) => {
      this.historySearch = null;
      this.mode = 'prompt';
      this.setEditor(editor);
    };
    if (k.ctrl && k.name === 'r') {
      if (!find(h.index)) this.notice = 'no older match';
      return this.changed();
    }
    if ((k.ctrl && (k.name === 'g' || k.name === 'c')) || k.name === 'escape' && !h.match) return leave(h.original);
    if (k.name === 'backspace') {
      h.query = h.query.slice(0, -1);
      find(this.history.all.length);
      return this.changed();
    }
    if (k.text) {
      h.query += k.text;
      find(this.history.all.length);
      return this.changed();
    }
    const match = h.match ?? h.original.text;
    if (k.name === 'return') {
      leave({ text: match, cursor: match.length });
      return void this.submit(match);
    }
    // Any other key takes the match into the prompt for editing, as in readline.
    leave({ text: match, cursor: match.length });
    if (k.name !== 'escape') this.promptKey(k);
  }

  // ---- running -------------------------------------------------------------------------------

  async submit(text: string): Promise<void> {
    const line = text.trim();
    this.editor = EMPTY;
    this.menu = null;
    if (!line) return this.changed();
    this.history.add(text.trimEnd());
    this.print([{ text: this.promptLabel() + text.replace(/\n/g, '\n' + ' '.repeat(Math.max(0, this.promptLabel().length - 5)) + '...> '), tone: 'dim' }]);
    this.mode = 'running';
    this.running = { search: line, started: performance.now(), rows: 0, cancelling: false };
    this.changed();
    const ticker = setInterval(() => {
      // An interrupt that lands before DuckDB started the query is lost: repeat it until the search ends.
      if (this.running?.cancelling) this.session.interrupt();
      this.changed();
    }, 100);
    let outcomes: Outcome[];
    try {
      outcomes = await this.session.execute(line, {
        onRows: (n) => {
          if (this.running) this.running.rows = n;
        },
        timelineBuckets: this.screen.width(),
      });
    } finally {
      clearInterval(ticker);
      this.running = null;
    }
    this.mode = 'prompt';
    await this.show(outcomes);
    this.changed();
  }

  private async show(outcomes: Outcome[]): Promise<void> {
    for (const o of outcomes) {
      switch (o.kind) {
        case 'lines': this.print(o.lines); break;
        case 'result': this.print(this.resultLines(o.result)); break;
        case 'quit': this.exit(); break;
        case 'clear': this.terminalWrite(CLEAR_SCREEN); break;
        case 'browse': this.openBrowser('first'); break;
        case 'pivot-menu': this.openPivot(o.row, o.options, 'prompt'); break;
        case 'event': await this.openEvent(o.row - 1, 'prompt'); break;
        case 'zoom-picker': this.openZoom('prompt'); break;
      }
    }
  }

  /** The first page of a finished result, for the scrollback, with a status line under it. */
  resultLines(r: HeldResult): OutLine[] {
    const view = resultLines(r, this.screen.width(), this.screen.height(), this.session.maxRows);
    this.shownInScrollback = { result: r, rows: view.shown };
    return view.lines;
  }

  // ---- browse --------------------------------------------------------------------------------

  /** Lines the browser's table may take: the screen less its status line and a spare one. */
  private pageHeight(): number {
    return Math.max(4, this.screen.height() - 4);
  }

  private openBrowser(where: 'first' | 'next'): void {
    const result = this.session.last!;
    if (result.rows.length === 0) {
      this.notice = 'the last result has no rows';
      return this.changed();
    }
    // PgDn from the prompt continues after the rows the scrollback already shows; when it shows
    // them all there is nothing further down, and the browser opens at the first row.
    const shown = this.shownInScrollback?.result === result ? this.shownInScrollback.rows : 0;
    this.browse = new ResultBrowser(displayTable(result, this.screen.width()), result.truncated, where === 'next' && shown < result.rows.length ? shown : 0);
    this.mode = 'browse';
    this.changed();
  }

  page() {
    return this.browse!.page(this.screen.width(), this.pageHeight());
  }

  private browseKey(k: KeyPress): void {
    const action = this.browse!.key(k, this.screen.width(), this.pageHeight());
    switch (action?.kind) {
      case 'close':
        this.browse = null;
        this.mode = 'prompt';
        break;
      case 'event':
        void this.openEvent(action.row, 'browse');
        return;
      case 'pivot':
        try {
          this.openPivot(action.row + 1, this.session.pivotOptions(action.row + 1), 'browse');
        } catch (err) {
          this.notice = describeError(err);
        }
        break;
      case 'zoom':
        return this.openZoom('browse');
    }
    this.changed();
  }

  // ---- zoom ----------------------------------------------------------------------------------

  private openZoom(back: 'prompt' | 'browse'): void {
    const t = this.session.last?.timeline;
    if (!t) return this.showNotice('no timeline to zoom into: :zoom works on an event search (one without stats, chart, top ...)');
    // Start on the busiest bucket: usually what is worth a closer look.
    const busiestAt = t.counts.indexOf(Math.max(...t.counts));
    this.zoomPick = { anchor: busiestAt, cursor: busiestAt, back };
    this.mode = 'zoom';
    this.changed();
  }

  private zoomKey(k: KeyPress): void {
    const z = this.zoomPick!;
    const n = this.session.last?.timeline?.counts.length ?? 1;
    const close = () => {
      this.zoomPick = null;
      this.mode = z.back === 'browse' && this.browse ? 'browse' : 'prompt';
    };
    const to = (cursor: number, extend: boolean) => {
      z.cursor = Math.max(0, Math.min(n - 1, cursor));
      if (!extend) z.anchor = z.cursor;
    };
    if (k.name === 'escape' || k.text === 'q' || (k.ctrl && k.name === 'c')) close();
    else if (k.name === 'left' || k.text === 'h' || k.text === 'H') to(z.cursor - 1, k.shift || k.text === 'H');
    else if (k.name === 'right' || k.text === 'l' || k.text === 'L') to(z.cursor + 1, k.shift || k.text === 'L');
    else if (k.name === 'home') to(0, k.shift);
    else if (k.name === 'end') to(n - 1, k.shift);
    else if (k.name === 'return') {
      const [a, b] = [Math.min(z.anchor, z.cursor) + 1, Math.max(z.anchor, z.cursor) + 1];
      this.zoomPick = null;
      this.browse = null;
      this.mode = 'prompt';
      return void this.submit(a === b ? `:zoom ${a}` : `:zoom ${a} ${b}`);
    }
    this.changed();
  }

  // ---- event viewer --------------------------------------------------------------------------

  /**
   * Lines the event viewer's body may take: the screen less its title, status and notice lines
   * and one more. A live frame as tall as the screen makes Ink clear it and print every line
   * of the session again.
   */
  private viewerHeight(): number {
    return Math.max(3, this.screen.height() - 4);
  }

  viewerPage() {
    return this.viewer!.page(this.screen.width(), this.viewerHeight());
  }

  /** Row `index` (from 0) of the last result as an event: its `_raw`, else the event its eventID names, else its fields. */
  private async openEvent(index: number, back: 'prompt' | 'browse'): Promise<void> {
    const r = this.session.last;
    if (!r) return this.showNotice('no result yet: run a search first');
    const row = r.rows[index];
    if (!row) return this.showNotice(`the last result has ${r.rows.length} row${r.rows.length === 1 ? '' : 's'}, not ${index + 1}`);
    const seq = ++this.viewerSeq;
    let event = rowEvent(row);
    if (!event && typeof row.eventID === 'string') {
      this.viewerOpening = index;
      try {
        event = await this.session.eventById(row.eventID);
      } catch (err) {
        this.notice = describeError(err);
      }
      // Another row was asked for while this one was read: that one opens instead.
      if (seq !== this.viewerSeq) return;
      this.viewerOpening = null;
    }
    const when = typeof row._time === 'number' ? ` · ${formatTime(row._time, 'human')} UTC` : '';
    const title = event
      ? `event ${index + 1} of ${r.rows.length.toLocaleString('en-US')}${when}`
      : `row ${index + 1} of ${r.rows.length.toLocaleString('en-US')} (the search's own fields: the row has no event behind it)`;
    const fields = Object.fromEntries(r.columns.filter((c) => row[c] !== null && row[c] !== undefined).map((c) => [c, c === '_time' && typeof row[c] === 'number' ? formatTime(row[c] as number, 'iso') : row[c]]));
    this.viewer = new EventViewer(event ?? fields, title, index, event !== null);
    this.viewerBack = back;
    this.mode = 'event';
    this.changed();
  }

  private viewerKey(k: KeyPress): void {
    this.notice = null;
    const action = this.viewer!.key(k, this.screen.width(), this.viewerHeight());
    if (action) return void this.viewerAction(action);
    this.changed();
  }

  private closeViewer(): void {
    this.viewer = null;
    this.mode = this.viewerBack === 'browse' && this.browse ? 'browse' : 'prompt';
  }

  private async viewerAction(action: ViewerAction): Promise<void> {
    switch (action.kind) {
      case 'close':
        this.closeViewer();
        break;
      case 'notice':
        this.notice = action.text;
        break;
      case 'step': {
        const row = (this.viewerOpening ?? this.viewer!.row ?? 0) + action.delta;
        if (row < 0 || row >= (this.session.last?.rows.length ?? 0)) {
          this.notice = action.delta > 0 ? 'this is the last row of the result' : 'this is the first row of the result';
          break;
        }
        if (this.browse) this.browse.selected = row;
        return this.openEvent(row, this.viewerBack);
      }
      case 'copy':
        // OSC 52 asks the terminal to set the clipboard (tmux needs set-clipboard on); the line
        // in the scrollback is there to select by hand where the terminal refuses.
        this.terminalWrite(`\x1b]52;c;${Buffer.from(action.value, 'utf8').toString('base64')}\x07`);
        this.print([{ text: `copied ${action.field}: ${visible(action.value)}`, tone: 'dim' }]);
        this.notice = `copied ${action.field} to the clipboard (if the terminal allows it) and into the scrollback`;
        break;
      case 'filter': {
        const term = filterTerm(action.field, action.value, action.exclude);
        const base = this.session.last?.search;
        if (!term || base === undefined) {
          this.notice = `${action.field} cannot be written as a search term`;
          break;
        }
        this.viewer = null;
        this.browse = null;
        this.mode = 'prompt';
        return this.submit(addTerm(base, term));
      }
    }
    this.changed();
  }

  private showNotice(text: string): void {
    this.notice = text;
    this.changed();
  }

  // ---- pivots --------------------------------------------------------------------------------

  private openPivot(row: number, options: PivotOption[], back: 'prompt' | 'browse'): void {
    if (options.length === 0) {
      this.notice = `no investigation takes a value from row ${row} (they want an ARN, access key id, IP, region, account or user)`;
      return this.changed();
    }
    this.pivot = { row, options, selected: 0, back };
    this.mode = 'pivot';
    this.changed();
  }

  private pivotKey(k: KeyPress): void {
    const p = this.pivot!;
    const close = () => {
      this.pivot = null;
      this.mode = p.back === 'browse' && this.browse ? 'browse' : 'prompt';
    };
    if (k.name === 'escape' || (k.ctrl && k.name === 'c') || k.text === 'q') {
      close();
      return this.changed();
    }
    if (k.name === 'up') p.selected = (p.selected - 1 + p.options.length) % p.options.length;
    else if (k.name === 'down' || k.name === 'tab') p.selected = (p.selected + 1) % p.options.length;
    else if (k.name === 'return' || /^[1-9]$/.test(k.text)) {
      const choice = k.text ? Number(k.text) - 1 : p.selected;
      const option = p.options[choice];
      if (!option) return;
      this.pivot = null;
      this.browse = null;
      this.mode = 'prompt';
      const params = Object.entries(option.params).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(' ');
      return void this.submit(`:run ${option.query.id} ${params}`);
    }
    this.changed();
  }

  exit(): void {
    if (this.mode === 'exiting') return;
    this.mode = 'exiting';
    this.changed();
    this.onExit();
  }
}
