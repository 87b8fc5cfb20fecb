// An advisory lock file around a lookup's read-modify-write: `outputlookup append=t` reads the
// old rows, adds the new ones and renames the result into place, so two processes appending at
// once would each keep only their own rows. Writers of one lookup take turns instead. A lock
// left by a process that died (kill -9 mid-write) is taken over; one held by a live process is
// waited for, then reported with the holder's pid and the lock file's path.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** How long a writer waits for another one to finish before giving up. */
const WAIT_MS = 120_000;

export class LockBusyError extends Error {}

function holder(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists, it is only someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Create `path` exclusively with our pid in it; false if it exists. */
function create(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function remove(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Remove the lock at `path` if the process named in it is dead. A second, short-lived lock
 * guards the takeover, so two waiters cannot both remove it (the second would remove the lock
 * the first had just taken).
 */
function takeOverIfStale(path: string): void {
  const guard = `${path}.takeover`;
  if (!create(guard)) {
    const pid = holder(guard);
    if (pid !== null && !alive(pid)) remove(guard);
    return;
  }
  try {
    const pid = holder(path);
    if (pid !== null && !alive(pid)) remove(path);
  } finally {
    remove(guard);
  }
}

/**
 * Take the lock file `path`, waiting while a live process holds it. Returns the release function.
 * `what` names the locked thing in the error.
 */
export async function lock(path: string, what: string, waitMs = WAIT_MS): Promise<() => void> {
  const deadline = Date.now() + waitMs;
  let pause = 5;
  for (;;) {
    if (create(path)) {
      let held = true;
      // Once only: a second call must not remove a lock another writer has taken since.
      return () => {
        if (held) remove(path);
        held = false;
      };
    }
    takeOverIfStale(path);
    if (Date.now() > deadline) {
      const pid = holder(path);
      throw new LockBusyError(`${what} is being written by ${pid === null ? 'another process' : `process ${pid}`} (lock file ${path}); try again when it is done, or remove the lock file if no spelunk is running`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 100);
  }
}
