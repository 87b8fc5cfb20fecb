// The prompt's input: the line being edited, Tab completion and its menu, Up/Down through the
// history, Ctrl-R reverse search, and the keys that leave the prompt (Enter, PgDn, Ctrl-D).
// State and keys only; the controller runs what is submitted and draws nothing itself.
import { commonPrefix, complete, type Candidate } from './completion.js';
import type { Mode } from './controller.js';
import type { History } from './history.js';
import type { KeyPress } from './keys.js';
import { EMPTY, edit, isComplete, verticalMove, type EditorState } from './line-editor.js';
import type { Session } from './session.js';

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

/** What the prompt needs of the controller that holds it. */
export interface PromptHost {
  readonly session: Session;
  readonly history: History;
  mode: Mode;
  notice: string | null;
  changed(): void;
  submit(text: string): Promise<void>;
  exit(): void;
  clearScreen(): void;
  openBrowser(where: 'first' | 'next'): void;
}

export class PromptInput {
  editor: EditorState = EMPTY;
  menu: CompletionMenu | null = null;
  historySearch: HistorySearch | null = null;
  private ctrlCArmed = false;
  private completionSeq = 0;

  constructor(private readonly host: PromptHost) {}

  /** A key other than Ctrl-C: a second Ctrl-C no longer quits. */
  disarm(): void {
    this.ctrlCArmed = false;
  }

  /** After a submit: an empty line, no menu. */
  clear(): void {
    this.editor = EMPTY;
    this.menu = null;
  }

  setEditor(e: EditorState): void {
    this.editor = e;
    this.host.changed();
  }

  key(k: KeyPress): void {
    this.host.notice = null;
    if (this.menu) {
      if (k.name === 'tab') return this.cycleMenu(k.shift ? -1 : 1);
      if (k.name === 'escape') {
        this.setEditor({ text: this.menu.base, cursor: this.menu.end });
        this.menu = null;
        return this.host.changed();
      }
      const chosen = this.menu.selected >= 0;
      this.menu = null;
      // Enter on a chosen candidate accepts it; it does not run the search yet.
      if (k.name === 'return' && !k.meta && chosen) return this.host.changed();
    }
    if (k.ctrl && k.name === 'c') {
      // Whatever runs stops: the sidebar's counts made ahead too.
      this.host.session.stopAhead();
      if (this.editor.text) {
        this.host.history.resetNavigation();
        return this.setEditor(EMPTY);
      }
      if (this.ctrlCArmed) return this.host.exit();
      this.ctrlCArmed = true;
      this.host.notice = 'press Ctrl-C again or Ctrl-D to quit';
      return this.host.changed();
    }
    if (k.ctrl && k.name === 'd') {
      if (!this.editor.text) return this.host.exit();
      const e = edit(this.editor, { ...k, ctrl: false, name: 'delete' });
      if (e) this.setEditor(e);
      return;
    }
    if (k.ctrl && k.name === 'r') return this.startHistorySearch();
    if (k.ctrl && k.name === 'l') return this.host.clearScreen();
    if (k.name === 'tab' && !k.shift) return void this.startCompletion();
    if (k.name === 'return' && !k.meta) {
      if (!isComplete(this.editor.text)) return this.setEditor(edit(this.editor, { ...k, meta: true })!);
      return void this.host.submit(this.editor.text);
    }
    if ((k.name === 'up' || (k.ctrl && k.name === 'p')) && !k.meta) {
      const moved = verticalMove(this.editor, -1);
      if (moved && !k.ctrl) return this.setEditor(moved);
      const prev = this.host.history.previous(this.editor.text);
      if (prev !== null) this.setEditor({ text: prev, cursor: prev.length });
      return;
    }
    if ((k.name === 'down' || (k.ctrl && k.name === 'n')) && !k.meta) {
      const moved = verticalMove(this.editor, 1);
      if (moved && !k.ctrl) return this.setEditor(moved);
      const next = this.host.history.next();
      if (next !== null) this.setEditor({ text: next, cursor: next.length });
      return;
    }
    if ((k.name === 'pageup' || k.name === 'pagedown') && this.host.session.last) return this.host.openBrowser(k.name === 'pagedown' ? 'next' : 'first');
    const e = edit(this.editor, k);
    if (e) this.setEditor(e);
  }

  /**
   * A key typed while the data loads or a search runs: it edits the next search (history
   * included) and nothing else. Enter, Tab, Ctrl-R, Ctrl-L and paging would act on a session
   * that is busy, so they wait; false when the key was not taken.
   */
  typeAhead(k: KeyPress): boolean {
    const busy = k.name === 'return' || k.name === 'tab' || k.name === 'pageup' || k.name === 'pagedown' || (k.ctrl && ['c', 'd', 'r', 'l'].includes(k.name));
    if (busy) return false;
    this.key(k);
    return true;
  }

  // ---- completion ----------------------------------------------------------------------------

  private async startCompletion(): Promise<void> {
    const seq = ++this.completionSeq;
    const { text, cursor } = this.editor;
    const s = this.host.session;
    const result = await complete(text, cursor, {
      fields: () => s.fieldNames(),
      macros: () => s.macroNames(),
      queries: () => s.queries().map((q) => ({ id: q.id, title: q.title, params: q.parameters.map((p) => p.name) })),
      values: (field, prefix) => s.values(field, prefix),
    });
    // The user typed on while the engine was asked for values: this answer is stale.
    if (seq !== this.completionSeq || this.editor.text !== text || this.editor.cursor !== cursor || this.host.mode !== 'prompt') return;
    const { candidates, context } = result;
    if (candidates.length === 0) {
      this.host.notice = context.kind === 'value' ? `no values of ${context.field} found` : 'no completions';
      return this.host.changed();
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
    this.host.changed();
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
    this.historySearch = { query: '', match: null, index: this.host.history.all.length, original: this.editor };
    this.host.mode = 'history-search';
    this.host.changed();
  }

  historyKey(k: KeyPress): void {
    const h = this.historySearch!;
    const find = (before: number) => {
      const found = h.query ? this.host.history.search(h.query, before) : null;
      if (found) {
        h.match = found.entry;
        h.index = found.index;
      } else if (!h.query) {
        h.match = null;
        h.index = this.host.history.all.length;
      }
      return found;
    };
    const leave = (editor: EditorState) => {
      this.historySearch = null;
      this.host.mode = 'prompt';
      this.setEditor(editor);
    };
    if (k.ctrl && k.name === 'r') {
      if (!find(h.index)) this.host.notice = 'no older match';
      return this.host.changed();
    }
    if ((k.ctrl && (k.name === 'g' || k.name === 'c')) || k.name === 'escape' && !h.match) return leave(h.original);
    if (k.name === 'backspace') {
      h.query = h.query.slice(0, -1);
      find(this.host.history.all.length);
      return this.host.changed();
    }
    if (k.text) {
      h.query += k.text;
      find(this.host.history.all.length);
      return this.host.changed();
    }
    const match = h.match ?? h.original.text;
    if (k.name === 'return') {
      leave({ text: match, cursor: match.length });
      return void this.host.submit(match);
    }
    // Any other key takes the match into the prompt for editing, as in readline.
    leave({ text: match, cursor: match.length });
    if (k.name !== 'escape') this.key(k);
  }
}
