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
import { describeError, type HeldResult, type OutLine, type Outcome, type Session } from './session.js';
import { columnSizes, layoutPage, pageStartEndingAt, renderFitted, type ColumnSizes } from './table-layout.js';

export type Mode = 'loading' | 'prompt' | 'running' | 'browse' | 'pivot' | 'history-search' | 'exiting';

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

export interface BrowseState {
  result: HeldResult;
  natural: ColumnSizes;
  from: number;
  selected: number;
  colOffset: number;
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
  browse: BrowseState | null = null;
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
      }
    }
  }

  /** The first page of a finished result, for the scrollback, with a status line under it. */
  resultLines(r: HeldResult): OutLine[] {
    const width = this.screen.width();
    const pageRows = Math.max(5, this.screen.height() - 8);
    const out: OutLine[] = [];
    if (r.columns.length === 0 || r.rows.length === 0) {
      out.push({ text: 'no results', tone: 'dim' });
    } else {
      const fitted = renderFitted(r.columns, r.rows, width, pageRows);
      this.shownInScrollback = { result: r, rows: fitted.shown };
      fitted.lines.forEach((text, i) => out.push({ text, tone: i === 0 ? 'heading' : i === 1 ? 'dim' : 'plain' }));
      const notes: string[] = [];
      if (fitted.shown < r.rows.length) notes.push(`showing 1-${fitted.shown}: PgDn pages through the rest`);
      if (fitted.hiddenRight > 0) notes.push(`${fitted.hiddenRight} more column${fitted.hiddenRight === 1 ? '' : 's'}: PgDn then Right`);
      if (notes.length) out.push({ text: notes.join(' · '), tone: 'dim' });
    }
    const count = `${r.rows.length.toLocaleString('en-US')} result${r.rows.length === 1 ? '' : 's'} in ${(r.elapsedMs / 1000).toFixed(3)} s`;
    out.push({ text: count, tone: 'info' });
    if (r.truncated) out.push({ text: `output capped at ${this.session.maxRows.toLocaleString('en-US')} rows: narrow the search, or use spelunk run --format csv for all of it`, tone: 'warn' });
    return out;
  }

  // ---- browse --------------------------------------------------------------------------------

  private pageHeight(): number {
    return Math.max(4, this.screen.height() - 4);
  }

  private openBrowser(where: 'first' | 'next'): void {
    const result = this.session.last!;
    if (result.rows.length === 0) {
      this.notice = 'the last result has no rows';
      return this.changed();
    }
    const natural = columnSizes(result.columns, result.rows);
    this.browse = { result, natural, from: 0, selected: 0, colOffset: 0 };
    this.mode = 'browse';
    // PgDn from the prompt continues after the rows the scrollback already shows; when it shows
    // them all there is nothing further down, and the browser opens at the first row.
    const shown = this.shownInScrollback?.result === result ? this.shownInScrollback.rows : 0;
    if (where === 'next' && shown < result.rows.length) {
      this.browse.from = shown;
      this.browse.selected = shown;
    }
    this.changed();
  }

  page() {
    const b = this.browse!;
    return layoutPage(b.result.columns, b.result.rows, b.natural, { width: this.screen.width(), height: this.pageHeight(), from: b.from, colOffset: b.colOffset, selected: b.selected });
  }

  /** The next page; on the last page (or a result that fits on one) nothing moves. */
  private pageDown(): void {
    const b = this.browse!;
    const page = this.page();
    if (page.to >= b.result.rows.length) return;
    b.from = page.to;
    b.selected = page.to;
  }

  private browseKey(k: KeyPress): void {
    const b = this.browse!;
    const rows = b.result.rows.length;
    const dims = { width: this.screen.width(), height: this.pageHeight(), colOffset: b.colOffset };
    if (k.name === 'escape' || k.text === 'q' || (k.ctrl && k.name === 'c')) {
      this.browse = null;
      this.mode = 'prompt';
      return this.changed();
    }
    if (k.name === 'pagedown' || k.text === ' ') this.pageDown();
    else if (k.name === 'pageup') {
      b.from = b.from === 0 ? 0 : pageStartEndingAt(b.result.columns, b.result.rows, b.natural, b.from - 1, dims);
      b.selected = b.from;
    } else if (k.name === 'home' || k.text === 'g') {
      b.from = 0;
      b.selected = 0;
    } else if (k.name === 'end' || k.text === 'G') {
      b.selected = rows - 1;
      b.from = pageStartEndingAt(b.result.columns, b.result.rows, b.natural, rows - 1, dims);
    } else if (k.name === 'down' || k.text === 'j') {
      b.selected = Math.min(rows - 1, b.selected + 1);
      if (b.selected >= this.page().to) b.from = pageStartEndingAt(b.result.columns, b.result.rows, b.natural, b.selected, dims);
    } else if (k.name === 'up' || k.text === 'k') {
      b.selected = Math.max(0, b.selected - 1);
      if (b.selected < b.from) b.from = b.selected;
    } else if (k.name === 'right' || k.text === 'l') {
      b.colOffset = Math.min(b.result.columns.length - 1, b.colOffset + 1);
    } else if (k.name === 'left' || k.text === 'h') {
      b.colOffset = Math.max(0, b.colOffset - 1);
    } else if (k.name === 'return') {
      this.print(this.rowDetail(b.selected));
    } else if (k.text === 'p') {
      try {
        this.openPivot(b.selected + 1, this.session.pivotOptions(b.selected + 1), 'browse');
      } catch (err) {
        this.notice = describeError(err);
      }
    }
    this.changed();
  }

  /** Every field of one row, one per line: a wide event read in full. */
  private rowDetail(index: number): OutLine[] {
    const r = this.browse!.result;
    const row = r.rows[index]!;
    const cols = r.columns.filter((c) => row[c] !== null && row[c] !== undefined);
    const w = Math.min(32, Math.max(...cols.map((c) => c.length)));
    const width = this.screen.width();
    const out: OutLine[] = [{ text: `row ${index + 1} of ${r.rows.length}`, tone: 'heading' }];
    for (const c of cols) {
      const v = row[c];
      const text = Array.isArray(v) ? v.map(String).join(' | ') : c === '_time' && typeof v === 'number' ? formatTime(v, 'human') : String(v);
      const line = `${c.padEnd(w)}  ${text.replace(/[\r\n\t]+/g, ' ')}`;
      out.push({ text: line.length > width * 4 ? line.slice(0, width * 4 - 1) + '…' : line });
    }
    return out;
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
