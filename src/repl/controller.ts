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
import type { EventViewer } from './event-viewer.js';
import type { FieldSidebar } from './field-sidebar.js';
import { EventPane } from './event-pane.js';
import { SidebarPane } from './sidebar-pane.js';
import { displayTable, resultLines } from './result-view.js';
import { zoomPickKey, type ZoomPick } from './zoom.js';
import { addTerm, filterTerm } from './search-edit.js';
import { describeError, type HeldResult, type OutLine, type Outcome } from './outcome.js';
import type { Session } from './session.js';

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
  zoomPick: ZoomPick | null = null;
  private readonly eventPane = new EventPane(this);
  private readonly sidebarPane = new SidebarPane(this);
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
  ) {
    // Found after the prompt is back (Session.load): their note, when there is one, goes to the scrollback then.
    session.onNote = (lines) => {
      this.print(lines);
      this.changed();
    };
  }

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
      // Left during the load (exit() ran meanwhile): its being stopped is what was asked, not news.
      if ((this.mode as Mode) !== 'exiting') this.print([{ text: describeError(err), tone: 'error' }]);
    }
    if ((this.mode as Mode) === 'exiting') return;
    this.mode = 'prompt';
    this.changed();
  }

  // ---- keys ----------------------------------------------------------------------------------

  handleKey(k: KeyPress): void {
    // Keys typed fast (or held down) can arrive as one chunk of text: outside the prompt each
    // character is a key of its own (`jjj` moves three rows).
    if (k.text.length > 1 && !['prompt', 'loading', 'running', 'history-search'].includes(this.mode)) {
      for (const ch of k.text) this.handleKey({ ...k, text: ch });
      return;
    }
    const isCtrlC = k.ctrl && k.name === 'c';
    if (!isCtrlC) this.input.disarm();
    switch (this.mode) {
      case 'loading':
        // Typing ahead is fine; the search runs once the data is there.
        if (isCtrlC) return this.exit();
        if (k.ctrl && k.name === 'd' && !this.editor.text) return this.exit();
        if (!this.input.typeAhead(k)) return this.waitNote('still loading', 'the summary', k);
        return;
      case 'running':
        if (isCtrlC && this.running) {
          this.running.cancelling = true;
          this.session.interrupt();
          return this.changed();
        }
        // The next search can be typed while this one runs, as in a shell.
        if (!this.input.typeAhead(k)) return this.waitNote('still running', 'the answer', k);
        return;
      case 'browse': return this.browseKey(k);
      case 'event': return this.eventPane.key(k);
      case 'zoom': return this.zoomKey(k);
      case 'fields': return this.sidebarPane.key(k);
      case 'pivot': return this.pivotKey(k);
      case 'confirm': return this.confirmKey(k);
      case 'history-search': return this.input.historyKey(k);
      case 'prompt':
        this.session.sidebars.typed();
        return this.input.key(k);
      case 'exiting': return;
    }
  }

  /** A key that waits for the session (PromptInput.typeAhead) says so rather than doing nothing. */
  private waitNote(state: string, what: string, k: KeyPress): void {
    const name = k.name === 'return' ? 'Enter' : k.name === 'tab' ? 'Tab' : k.ctrl ? `Ctrl-${k.name.toUpperCase()}` : k.name === 'pageup' ? 'PgUp' : k.name === 'pagedown' ? 'PgDn' : k.name;
    this.notice = `${state}: ${name} once ${what} is shown${state === 'still running' ? ' (Ctrl-C cancels)' : ''}`;
    this.changed();
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
    // A note about Enter typed while it ran is past.
    this.notice = null;
    this.mode = 'prompt';
    await this.show(outcomes);
    this.changed();
    // While the analyst reads the rows, the sidebar's counts are made (Session.countFieldsAhead).
    for (const o of outcomes) if (o.kind === 'result') this.session.countFieldsAhead(o.result);
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
        case 'event': await this.eventPane.open(o.row - 1, 'prompt'); break;
        case 'zoom-picker': this.openZoom('prompt'); break;
        case 'fields': void this.sidebarPane.open(o.scope, 'prompt'); break;
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
        void this.eventPane.open(action.row, 'browse');
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
        return void this.sidebarPane.open('auto', 'browse');
    }
    this.changed();
  }

  // ---- field sidebar and event viewer ----------------------------------------------------------

  get sidebar(): FieldSidebar | null {
    return this.sidebarPane.sidebar;
  }

  sidebarHeight(): number {
    return this.sidebarPane.height();
  }

  get viewer(): EventViewer | null {
    return this.eventPane.viewer;
  }

  viewerPage() {
    return this.eventPane.page();
  }

  printLines(lines: OutLine[]): void {
    this.print(lines);
  }

  /** `field=value` (or its exclusion) added to a search, run as the next search. */
  applyFilter(field: string, value: string, exclude: boolean, base: string | undefined): Promise<void> | void {
    const term = filterTerm(field, value, exclude);
    if (!term || base === undefined) return this.showNotice(`${field} cannot be written as a search term`);
    this.eventPane.viewer = null;
    this.sidebarPane.sidebar = null;
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

  showNotice(text: string): void {
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
    // Leaving while the data loads stops the load: it ran on unseen to its end (a minute at 1M events).
    if (this.mode === 'loading') this.session.interrupt();
    this.mode = 'exiting';
    this.changed();
    this.onExit();
  }
}
