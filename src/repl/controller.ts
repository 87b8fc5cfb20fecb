// The interactive session's UI state and key handling, as a plain class: the Ink components only
// draw what it holds. Finished output leaves through `print` (into the terminal's scrollback);
// only the prompt, the running search, and the browser/menus are live state here.
import { formatTime } from '../cli/format.js';
import type { LoadProgress } from '../engine/types.js';
import type { History } from './history.js';
import type { KeyPress } from './keys.js';
import type { EditorState } from './line-editor.js';
import { PromptInput, type CompletionMenu, type HistorySearch, type PromptHost } from './prompt-input.js';
import type { PivotOption } from './pivot.js';
import { ResultBrowser } from './browser.js';
import { EventViewer, type ViewerAction } from './event-viewer.js';
import { FieldSidebar } from './field-sidebar.js';
import { displayTable, resultLines, rowEvent } from './result-view.js';
import { zoomPickKey, type ZoomPick } from './zoom.js';
import { addTerm, filterTerm } from './search-edit.js';
import { describeError, type HeldResult, type OutLine, type Outcome, type Session } from './session.js';
import { visible } from './display.js';

export type Mode = 'loading' | 'prompt' | 'running' | 'browse' | 'pivot' | 'history-search' | 'event' | 'zoom' | 'fields' | 'confirm' | 'exiting';


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

export class ReplController implements PromptHost {
  mode: Mode = 'prompt';
  readonly input: PromptInput = new PromptInput(this);
  browse: ResultBrowser | null = null;
  viewer: EventViewer | null = null;
  zoomPick: ZoomPick | null = null;
  sidebar: FieldSidebar | null = null;
  private sidebarBack: 'prompt' | 'browse' = 'prompt';
  /** The row an event is being read for (keys arriving meanwhile step from it). */
  private viewerOpening: number | null = null;
  private viewerSeq = 0;
  /** Where Esc in the event viewer goes back to. */
  private viewerBack: 'prompt' | 'browse' = 'prompt';
  pivot: PivotMenu | null = null;
  /** A y/N question (`:save` over a saved search): y runs `yes`, anything else prints `no`. */
  confirm: { question: string; yes: string; no: string } | null = null;
  progress: LoadProgress | null = null;
  running: { search: string; started: number; rows: number; cancelling: boolean } | null = null;
  /** A one-line note under the prompt (e.g. "press Ctrl-C again to quit"). */
  notice: string | null = null;
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

  get editor(): EditorState {
    return this.input.editor;
  }

  get menu(): CompletionMenu | null {
    return this.input.menu;
  }

  get historySearch(): HistorySearch | null {
    return this.input.historySearch;
  }

  clearScreen(): void {
    this.terminalWrite(CLEAR_SCREEN);
  }

  changed(): void {
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
    // Keys typed fast (or held down) can arrive as one chunk of text: outside the prompt each
    // character is a key of its own (`jjj` moves three rows).
    if (k.text.length > 1 && !['prompt', 'loading', 'history-search'].includes(this.mode)) {
      for (const ch of k.text) this.handleKey({ ...k, text: ch });
      return;
    }
    const isCtrlC = k.ctrl && k.name === 'c';
    if (!isCtrlC) this.input.disarm();
    switch (this.mode) {
      case 'loading':
        // Typing ahead is fine; the search runs once the data is there.
        if (isCtrlC) return this.exit();
        if (k.name === 'return' && !k.meta) {
          this.notice = 'still loading: Enter once the summary is shown';
          return this.changed();
        }
        return this.input.key(k);
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
      case 'fields': return this.sidebarKey(k);
      case 'pivot': return this.pivotKey(k);
      case 'confirm': return this.confirmKey(k);
      case 'history-search': return this.input.historyKey(k);
      case 'prompt': return this.input.key(k);
      case 'exiting': return;
    }
  }

  // ---- running -------------------------------------------------------------------------------

  async submit(text: string): Promise<void> {
    const line = text.trim();
    this.input.clear();
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
        case 'fields': void this.openFields(o.scope, 'prompt'); break;
        case 'confirm':
          this.confirm = o;
          this.notice = o.question;
          this.mode = 'confirm';
          break;
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

  openBrowser(where: 'first' | 'next'): void {
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
      case 'fields':
        return void this.openFields('auto', 'browse');
    }
    this.changed();
  }

  // ---- field sidebar -------------------------------------------------------------------------

  /** Lines the field list may take: the screen less its title, header, status and notice lines and one more. */
  sidebarHeight(): number {
    return Math.max(3, this.screen.height() - 5);
  }

  private async openFields(scope: 'data' | 'result' | 'auto', back: 'prompt' | 'browse'): Promise<void> {
    const search = scope === 'data' ? '*' : this.session.last?.search ?? '';
    const sidebar = new FieldSidebar({ search, rows: null, fields: [], sampled: null, stage: 'counting the fields' });
    this.sidebar = sidebar;
    this.sidebarBack = back;
    this.mode = 'fields';
    this.changed();
    // Redraw while DuckDB counts, for its progress.
    const ticker = setInterval(() => this.changed(), 200);
    try {
      const stats = await this.session.fieldStats(scope, (s) => {
        sidebar.update(s);
        this.changed();
      });
      sidebar.update(stats);
    } catch (err) {
      sidebar.update({ ...sidebar.stats, stage: '', stopped: describeError(err) });
    } finally {
      clearInterval(ticker);
    }
    this.changed();
  }

  private sidebarKey(k: KeyPress): void {
    this.notice = null;
    const action = this.sidebar!.key(k, this.sidebarHeight());
    switch (action?.kind) {
      case 'cancel':
        this.session.interrupt();
        break;
      case 'close':
        if (this.sidebar!.computing) this.session.interrupt();
        this.sidebar = null;
        this.mode = this.sidebarBack === 'browse' && this.browse ? 'browse' : 'prompt';
        break;
      case 'notice':
        this.notice = action.text;
        break;
      case 'filter':
        return void this.applyFilter(action.field, action.value, action.exclude, this.sidebar!.stats.search);
    }
    this.changed();
  }

  /** `field=value` (or its exclusion) added to a search, run as the next search. */
  private applyFilter(field: string, value: string, exclude: boolean, base: string | undefined): Promise<void> | void {
    const term = filterTerm(field, value, exclude);
    if (!term || base === undefined) return this.showNotice(`${field} cannot be written as a search term`);
    this.viewer = null;
    this.sidebar = null;
    this.browse = null;
    this.mode = 'prompt';
    return this.submit(addTerm(base, term));
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
    const action = zoomPickKey(z, k, this.session.last?.timeline?.counts.length ?? 1);
    if (action) {
      this.zoomPick = null;
      this.mode = z.back === 'browse' && this.browse && action.kind === 'close' ? 'browse' : 'prompt';
      if (action.kind === 'zoom') {
        this.browse = null;
        return void this.submit(action.first === action.last ? `:zoom ${action.first}` : `:zoom ${action.first} ${action.last}`);
      }
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
      case 'filter':
        return this.applyFilter(action.field, action.value, action.exclude, this.session.last?.search);
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

  private confirmKey(k: KeyPress): void {
    const c = this.confirm!;
    this.confirm = null;
    this.notice = null;
    this.mode = 'prompt';
    if (k.text === 'y' || k.text === 'Y') return void this.submit(c.yes);
    this.print([{ text: c.no, tone: 'dim' }]);
    this.changed();
  }

  exit(): void {
    if (this.mode === 'exiting') return;
    this.mode = 'exiting';
    this.changed();
    this.onExit();
  }
}
