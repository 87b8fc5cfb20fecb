// The field sidebar's list and keys: every field with its coverage and distinct count, a field
// unfolded into its top values, a value chosen to add to (or exclude from) the search.
import type { FieldEntry, FieldStats } from './field-stats.js';
import type { KeyPress } from './keys.js';

export type SidebarAction =
  | { kind: 'close' }
  | { kind: 'cancel' }
  | { kind: 'filter'; field: string; value: string; exclude: boolean }
  | { kind: 'notice'; text: string };

/** A line of the list: a field, or one of its top values under it. */
export interface SidebarLine {
  field: FieldEntry;
  value?: { value: string; count: number };
}

const KIND_ORDER = { event: 0, addon: 0, made: 0, nested: 1 };

/** Most covered first (the fields Splunk calls interesting), nested paths after, then by name. */
function orderFields(fields: FieldEntry[]): FieldEntry[] {
  return fields.filter((f) => f.present > 0).sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.present - a.present || (a.field < b.field ? -1 : 1));
}

export class FieldSidebar {
  stats: FieldStats;
  private unfolded = new Set<string>();
  private cursor = 0;
  private top = 0;
  /** The cursor was moved: it then stays on its field while more fields arrive. */
  private moved = false;
  /** Lines under the cursor to bring into view (a field just unfolded). */
  private reveal = 0;

  constructor(stats: FieldStats) {
    this.stats = stats;
  }

  update(stats: FieldStats): void {
    const at = this.lines()[this.cursor];
    this.stats = stats;
    // Keep the selection on the same field while new ones arrive.
    if (at && this.moved) this.cursor = Math.max(0, this.lines().findIndex((l) => l.field.field === at.field.field && l.value?.value === at.value?.value));
  }

  get computing(): boolean {
    return this.stats.stage !== '';
  }

  lines(): SidebarLine[] {
    const out: SidebarLine[] = [];
    for (const field of orderFields(this.stats.fields)) {
      out.push({ field });
      if (this.unfolded.has(field.field)) for (const value of field.top) out.push({ field, value });
    }
    return out;
  }

  /** The lines that fit in `height`, scrolled to show the cursor. */
  page(height: number): { lines: SidebarLine[]; selected: number; top: number; total: number } {
    const lines = this.lines();
    this.cursor = Math.max(0, Math.min(this.cursor, lines.length - 1));
    if (this.cursor < this.top) this.top = this.cursor;
    const last = Math.min(this.cursor + Math.min(this.reveal, height - 1), lines.length - 1);
    this.reveal = 0;
    if (last >= this.top + height) this.top = last - height + 1;
    this.top = Math.max(0, Math.min(this.top, Math.max(0, lines.length - height)));
    return { lines: lines.slice(this.top, this.top + height), selected: this.cursor - this.top, top: this.top, total: lines.length };
  }

  key(k: KeyPress, height: number): SidebarAction | null {
    const lines = this.lines();
    const line = lines[this.cursor];
    if (k.ctrl && k.name === 'c') return this.computing ? { kind: 'cancel' } : { kind: 'close' };
    if (k.name === 'escape' || k.text === 'q') return { kind: 'close' };
    const move = (to: number) => {
      this.moved = true;
      this.cursor = Math.max(0, Math.min(lines.length - 1, to));
    };
    if (k.name === 'down' || k.text === 'j') move(this.cursor + 1);
    else if (k.name === 'up' || k.text === 'k') move(this.cursor - 1);
    else if (k.name === 'pagedown' || k.text === ' ') move(this.cursor + height - 1);
    else if (k.name === 'pageup') move(this.cursor - height + 1);
    else if (k.name === 'home' || k.text === 'g') move(0);
    else if (k.name === 'end' || k.text === 'G') move(lines.length - 1);
    else if (!line) return null;
    else if ((k.name === 'right' || k.name === 'return' || k.text === 'l') && !line.value) {
      if (line.field.top.length === 0) return { kind: 'notice', text: `${line.field.field}: one value per event (an identifier), so no top values; | stats count by ${line.field.field} lists them` };
      if (this.unfolded.has(line.field.field) && k.name === 'return') this.unfolded.delete(line.field.field);
      else {
        this.unfolded.add(line.field.field);
        this.reveal = line.field.top.length;
      }
    } else if ((k.name === 'left' || k.text === 'h') && (line.value || this.unfolded.has(line.field.field))) {
      this.unfolded.delete(line.field.field);
      move(this.lines().findIndex((l) => l.field.field === line.field.field && !l.value));
    } else if ((k.name === 'return' || k.text === '+' || k.text === '-') && line.value) {
      return { kind: 'filter', field: line.field.field, value: line.value.value, exclude: k.text === '-' };
    } else if (k.text === '+' || k.text === '-') {
      return { kind: 'notice', text: 'unfold the field (→) and choose one of its values' };
    }
    return null;
  }
}
