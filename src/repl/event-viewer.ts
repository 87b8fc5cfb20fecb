// The event viewer's state and keys: which node is selected, what is unfolded, what is scrolled
// into view. Keys that reach beyond the viewer (add to the search, copy, next event) come back
// as actions for the controller.
import type { KeyPress } from './keys.js';
import { allContainers, buildTree, eventLines, initiallyUnfolded, searchValue, type JsonNode, type ViewLine } from './event-view.js';

export type ViewerAction =
  | { kind: 'close' }
  /** `+` (include) or `-` (exclude) the selected value in the search. */
  | { kind: 'filter'; field: string; value: string; exclude: boolean }
  | { kind: 'copy'; field: string; value: string }
  /** `]` / `[`: the next or previous row of the result. */
  | { kind: 'step'; delta: 1 | -1 }
  | { kind: 'notice'; text: string };

export interface ViewerPage {
  lines: ViewLine[];
  /** Index in `lines` of the selected node's first line, or -1 when it is scrolled away. */
  selected: number;
  top: number;
  total: number;
}

export class EventViewer {
  readonly root: JsonNode;
  private unfolded: Set<string>;
  private selectedId: string;
  private top = 0;

  constructor(
    value: unknown,
    /** What the header says: which event, of what. */
    readonly title: string,
    /** The row of the held result it shows (for `[` and `]`), if any. */
    readonly row: number | null,
    /** False when the row had no event behind it and its fields are shown instead. */
    readonly isEvent: boolean,
  ) {
    this.root = buildTree(value);
    this.unfolded = initiallyUnfolded(this.root);
    this.selectedId = this.root.children[0]?.id ?? '';
  }

  lines(width: number): ViewLine[] {
    return eventLines(this.root, this.unfolded, width);
  }

  private selectable(lines: ViewLine[]): number[] {
    return lines.flatMap((l, i) => (l.part === 0 ? [i] : []));
  }

  selectedNode(): JsonNode | undefined {
    const find = (n: JsonNode): JsonNode | undefined => (n.id === this.selectedId ? n : n.children.map(find).find(Boolean));
    return find(this.root);
  }

  /** The lines that fit in `height`, scrolled so the selection shows. */
  page(width: number, height: number): ViewerPage {
    const lines = this.lines(width);
    const at = lines.findIndex((l) => l.node.id === this.selectedId && l.part === 0);
    if (at >= 0) {
      // The whole of a wrapped value when it fits, else its start.
      let end = at;
      while (end + 1 < lines.length && lines[end + 1]!.node.id === this.selectedId && lines[end + 1]!.part > 0) end++;
      if (at < this.top) this.top = at;
      else if (end >= this.top + height) this.top = Math.min(at, end - height + 1);
    }
    this.top = Math.max(0, Math.min(this.top, Math.max(0, lines.length - height)));
    const shown = lines.slice(this.top, this.top + height);
    return { lines: shown, selected: at >= 0 && at >= this.top && at < this.top + height ? at - this.top : -1, top: this.top, total: lines.length };
  }

  private move(lines: ViewLine[], by: number): void {
    const stops = this.selectable(lines);
    const now = stops.findIndex((i) => lines[i]!.node.id === this.selectedId);
    const next = Math.max(0, Math.min(stops.length - 1, (now < 0 ? 0 : now) + by));
    this.selectedId = lines[stops[next]!]!.node.id;
  }

  key(k: KeyPress, width: number, height: number): ViewerAction | null {
    const lines = this.lines(width);
    const node = this.selectedNode();
    const container = node && (node.kind === 'object' || node.kind === 'array') && node.children.length > 0;
    if (k.name === 'escape' || k.text === 'q' || (k.ctrl && k.name === 'c')) return { kind: 'close' };
    if (k.name === 'down' || k.text === 'j') this.move(lines, 1);
    else if (k.name === 'up' || k.text === 'k') this.move(lines, -1);
    else if (k.name === 'pagedown' || k.text === ' ') this.move(lines, Math.max(1, height - 1));
    else if (k.name === 'pageup') this.move(lines, -Math.max(1, height - 1));
    else if (k.name === 'home' || k.text === 'g') this.move(lines, -lines.length);
    else if (k.name === 'end' || k.text === 'G') this.move(lines, lines.length);
    else if (k.name === 'right' || k.text === 'l' || k.name === 'return') {
      if (container && !this.unfolded.has(node.id)) this.unfolded.add(node.id);
      else if (container) this.selectedId = node.children[0]!.id;
    } else if (k.name === 'left' || k.text === 'h') {
      if (container && this.unfolded.has(node.id) && node.depth > 0) this.unfolded.delete(node.id);
      else if (node?.parent && node.parent.depth > 0) this.selectedId = node.parent.id;
    } else if (k.text === '*') {
      const all = allContainers(this.root);
      this.unfolded = [...all].every((id) => this.unfolded.has(id)) ? initiallyUnfolded(this.root) : all;
    } else if (k.text === '+' || k.text === '-' || k.text === 'c' || k.text === 'y') {
      const value = node ? searchValue(node) : null;
      if (!node || value === null) return { kind: 'notice', text: 'choose a value (a string, number or true/false): objects, arrays and null cannot be searched for or copied' };
      if (k.text === 'c' || k.text === 'y') return { kind: 'copy', field: node.field, value };
      return { kind: 'filter', field: node.field, value, exclude: k.text === '-' };
    } else if (k.text === ']' || k.text === 'n') return { kind: 'step', delta: 1 };
    else if (k.text === '[' || k.text === 'N') return { kind: 'step', delta: -1 };
    return null;
  }
}
