// The field sidebar as the REPL's controller runs it: counting the fields of the last search (or
// of every loaded event) while the list redraws with DuckDB's progress, and what its keys ask for
// (cancel, close, add a value to the search). Drawn by components/field-sidebar.tsx.
import { FieldSidebar } from './field-sidebar.js';
import type { KeyPress } from './keys.js';
import { describeError } from './outcome.js';
import type { PaneHost } from './event-pane.js';

export class SidebarPane {
  sidebar: FieldSidebar | null = null;
  private back: 'prompt' | 'browse' = 'prompt';
  /** Ctrl-C was pressed while counting. */
  private cancelling = false;

  constructor(private readonly host: PaneHost) {}

  /** Lines the field list may take: the screen less its title, header, status and notice lines and one more. */
  height(): number {
    return Math.max(3, this.host.screen.height() - 5);
  }

  async open(scope: 'data' | 'result' | 'auto', back: 'prompt' | 'browse'): Promise<void> {
    const host = this.host;
    const search = scope === 'data' ? '*' : host.session.last?.search ?? '';
    const sidebar = new FieldSidebar({ search, rows: null, fields: [], first: null, stage: 'counting the fields' });
    this.sidebar = sidebar;
    this.back = back;
    host.mode = 'fields';
    host.changed();
    this.cancelling = false;
    // Redraw while DuckDB counts, for its progress. An interrupt that lands between two of its
    // queries (while the next one compiles) is lost: repeat it until the counting stops.
    const ticker = setInterval(() => {
      if (this.cancelling && this.sidebar === sidebar && sidebar.computing) host.session.interrupt();
      host.changed();
    }, 200);
    try {
      const stats = await host.session.fieldStats(scope, (s) => {
        sidebar.update(s);
        host.changed();
      });
      sidebar.update(stats);
    } catch (err) {
      sidebar.update({ ...sidebar.stats, stage: '', stopped: describeError(err) });
    } finally {
      clearInterval(ticker);
    }
    host.changed();
  }

  key(k: KeyPress): void {
    const host = this.host;
    host.notice = null;
    const action = this.sidebar!.key(k, this.height());
    switch (action?.kind) {
      case 'cancel':
        this.cancelling = true;
        host.session.interrupt();
        break;
      case 'close':
        if (this.sidebar!.computing) host.session.interrupt();
        this.sidebar = null;
        host.mode = this.back === 'browse' && host.browse ? 'browse' : 'prompt';
        break;
      case 'notice':
        host.notice = action.text;
        break;
      case 'filter':
        return void host.applyFilter(action.field, action.value, action.exclude, this.sidebar!.stats.search);
    }
    host.changed();
  }
}
