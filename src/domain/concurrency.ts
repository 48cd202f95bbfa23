/**
 * Run `work` over `items` with at most `limit` in flight, keeping the order of
 * results. Per-agent calls are independent, so they go concurrently, but a
 * bound keeps a 1000-agent cluster from opening 1000 connections to the master.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const slots = new BoundedQueue(limit);
  return Promise.all(items.map((item, index) => slots.run(() => work(item, index))));
}

/**
 * At most `limit` tasks running at once, first come first served, with tasks added while
 * others run: the cleanup queues the unreserves that need no re-read behind the destroys,
 * so the slots stay busy while the agents that held volumes are read again. After a task
 * fails, the tasks not yet started fail with the same error, as mapWithConcurrency stops.
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.enqueue(task, 'last');
  }

  /**
   * Ahead of every task still waiting, within the same bound: the cleanup's re-read, whose
   * answer the agents that held volumes wait for, need not wait for the queued unreserves.
   */
  runFirst<T>(task: () => Promise<T>): Promise<T> {
    return this.enqueue(task, 'first');
  }

  private enqueue<T>(task: () => Promise<T>, place: 'first' | 'last'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        if (this.failure) {
          reject(this.failure.error);
          this.next();
          return;
        }
        this.running++;
        task()
          .then(resolve, (error: unknown) => {
            this.failure ??= { error };
            reject(error);
          })
          .finally(() => {
            this.running--;
            this.next();
          });
      };
      if (this.running < Math.max(1, this.limit)) start();
      else if (place === 'first') this.waiting.unshift(start);
      else this.waiting.push(start);
    });
  }

  private next(): void {
    this.waiting.shift()?.();
  }
}
