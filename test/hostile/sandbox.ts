// A compile worker with a deadline per search (see compile-worker.ts).
import { Worker } from 'node:worker_threads';

export interface CompileRequest {
  id: number;
  text: string;
  params?: Record<string, string>;
}

export type CompileOutcome =
  | { kind: 'compiled'; sql: string }
  | { kind: 'diagnostic'; code: string; span: { start: number; end: number }; against: string; message: string }
  | { kind: 'crash'; message: string }
  | { kind: 'timeout'; ms: number };

export class CompileSandbox {
  private worker: Worker | null = null;
  private next = 0;

  private start(): Worker {
    // compile-worker.mjs loads the TypeScript sources through tsx.
    this.worker = new Worker(new URL('./compile-worker.mjs', import.meta.url));
    this.worker.unref();
    return this.worker;
  }

  /**
   * Compile `text` in the worker; a search still running after `deadlineMs` kills the worker. The
   * deadline is wall time, which a busy machine stretches: a timeout counts only if the search
   * also overruns three times the deadline in a fresh worker.
   */
  async compile(text: string, deadlineMs: number, params?: Record<string, string>): Promise<CompileOutcome> {
    const first = await this.compileOnce(text, deadlineMs, params);
    return first.kind === 'timeout' ? this.compileOnce(text, deadlineMs * 3, params) : first;
  }

  private compileOnce(text: string, deadlineMs: number, params?: Record<string, string>): Promise<CompileOutcome> {
    const worker = this.worker ?? this.start();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        this.worker = null;
        resolve({ kind: 'timeout', ms: deadlineMs });
      }, deadlineMs);
      const onMessage = (msg: CompileOutcome & { id: number }): void => {
        if (msg.id !== id) return;
        cleanup();
        const { id: _, ...rest } = msg;
        resolve(rest as CompileOutcome);
      };
      const onError = (err: Error): void => {
        cleanup();
        this.worker = null;
        reject(err);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, text, params } satisfies CompileRequest);
    });
  }

  /** Wait for the worker to be up, so its start-up does not count against the first deadline. */
  async warm(): Promise<void> {
    const first = await this.compile('| makeresults', 60_000);
    if (first.kind !== 'compiled') throw new Error(`compile worker did not start: ${JSON.stringify(first)}`);
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}
