// `:zoom`: the timeline above an event search is also how its time range is narrowed, as in
// Splunk's timeline. A run of buckets becomes the session's `:time` range and the search runs
// again; `:zoom out` goes back a step (each zoom remembers the range it replaced). A search's
// own earliest=/latest= replace `:time` (search-range.ts), which would leave its zoom with the
// rows it had; the analyst zooms to see those buckets' events, as selecting bars in Splunk's
// timeline shows them: the search zoomed from reads its own range narrowed to `:time`, with a
// note, and any other search reads its own range whole.
import { formatTime } from '../cli/format.js';
import type { RunOptions } from '../engine/engine.js';
import type { KeyPress } from './keys.js';
import type { Outcome, SearchHooks } from './outcome.js';
import type { Session } from './session.js';
import { SessionCommandError, type SessionCommand } from './session-commands.js';
import { bucketRange, timeLabel } from './timeline.js';

type ZoomCommand = Extract<SessionCommand, { kind: 'zoom' }>;

export async function zoom(session: Session, cmd: ZoomCommand, hooks: SearchHooks): Promise<Outcome[]> {
  const last = session.last;
  if (cmd.action === 'out') {
    const previous = session.zoomStack.pop();
    if (!previous && session.earliest === null && session.latest === null) throw new SessionCommandError('the time range is all time already: nothing to zoom out to');
    const { earliest, latest, zoomed } = previous ?? { earliest: null, latest: null, zoomed: null };
    session.zoomed = zoomed;
    return again(session, session.setTime(earliest, latest), hooks);
  }
  const timeline = last?.timeline;
  if (!last || !timeline) throw new SessionCommandError('no timeline to zoom into: :zoom works on an event search (one without stats, chart, top ...)');
  if (cmd.action === 'pick') return [{ kind: 'zoom-picker' }];
  const n = timeline.counts.length;
  if (cmd.first > n || cmd.last > n) throw new SessionCommandError(`the timeline has ${n} bucket${n === 1 ? '' : 's'}, numbered 1-${n} from the left`);
  const range = bucketRange(timeline, cmd.first - 1, cmd.last - 1);
  session.zoomStack.push({ earliest: session.earliest, latest: session.latest, zoomed: session.zoomed });
  session.zoomed = last.search;
  const set = session.setTime(formatTime(range.earliest, 'iso'), formatTime(range.latest, 'iso'));
  return again(session, set, hooks);
}

/** `within` for a search: the zoomed range (`:time`) when it is the search zoomed from. */
export function zoomedWithin(session: Session, spl: string): RunOptions {
  if (session.zoomed !== spl) return {};
  const { earliest, latest } = session.runOptions();
  return { within: { ...(earliest !== undefined ? { earliest } : {}), ...(latest !== undefined ? { latest } : {}) } };
}

/** The new range's line, then the last search again over it. */
async function again(session: Session, set: Outcome, hooks: SearchHooks): Promise<Outcome[]> {
  const last = session.last;
  if (!last) return [set];
  const result = await session.search(last.search, hooks, { params: last.params });
  return [set, { kind: 'result', result }];
}

/** What the picker's status line says about a run of buckets. */
export function describeBuckets(session: Session, first: number, last: number): string {
  const t = session.last?.timeline;
  if (!t) return '';
  const a = Math.min(first, last);
  const b = Math.max(first, last);
  const range = bucketRange(t, a, b);
  const events = t.counts.slice(a, b + 1).reduce((x, y) => x + y, 0);
  const year = new Date(range.earliest * 1000).getUTCFullYear() !== new Date(range.latest * 1000).getUTCFullYear();
  return `buckets ${a + 1}-${b + 1}: ${timeLabel(range.earliest, true, t.span)} .. ${timeLabel(range.latest, year, t.span)} UTC, ${events.toLocaleString('en-US')} event${events === 1 ? '' : 's'}`;
}

/** The buckets chosen in the timeline: from the anchor to the cursor (indexes from 0). */
export interface ZoomPick {
  anchor: number;
  cursor: number;
  back: 'prompt' | 'browse';
}

/** A key in the bucket picker: Left/Right move, with Shift (or H/L) widen, Enter zooms (buckets from 1). */
export function zoomPickKey(z: ZoomPick, k: KeyPress, buckets: number): { kind: 'close' } | { kind: 'zoom'; first: number; last: number } | null {
  const to = (cursor: number, extend: boolean) => {
    z.cursor = Math.max(0, Math.min(buckets - 1, cursor));
    if (!extend) z.anchor = z.cursor;
  };
  if (k.name === 'escape' || k.text === 'q' || (k.ctrl && k.name === 'c')) return { kind: 'close' };
  if (k.name === 'left' || k.text === 'h' || k.text === 'H') to(z.cursor - 1, k.shift || k.text === 'H');
  else if (k.name === 'right' || k.text === 'l' || k.text === 'L') to(z.cursor + 1, k.shift || k.text === 'L');
  else if (k.name === 'home') to(0, k.shift);
  else if (k.name === 'end') to(buckets - 1, k.shift);
  else if (k.name === 'return') return { kind: 'zoom', first: Math.min(z.anchor, z.cursor) + 1, last: Math.max(z.anchor, z.cursor) + 1 };
  return null;
}
