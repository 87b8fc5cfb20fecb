// One piece of work at a time on the engine's DuckDB connection. A second statement started while a
// search's rows stream ends that search's result early, and without an error: the REPL's event
// viewer, stepped through fast, showed rows "with no event behind them" (test/engine-serial.test.ts).

export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` once everything queued before it has finished, failed or not. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

type AsyncMethodName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];

/**
 * Replaces each named method of `target` with one that queues on `serial`. The methods must not
 * call each other (the second would wait for the first, which waits for it).
 */
export function serialize<T extends object>(target: T, names: AsyncMethodName<T>[], serial: Serial): void {
  for (const name of names) {
    const method = target[name] as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(target, name, { value: (...args: unknown[]) => serial.run(() => method.apply(target, args)), configurable: true, writable: true });
  }
}
