import { BoundedQueue } from '../src/domain/concurrency';

/** A task the test finishes by hand, so that the order is decided by the test, not by timers. */
function deferredTask(name: string, started: string[]) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => (started.push(name), done), finish: () => finish() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue', () => {
  it('runs at most its limit at once, in the order the tasks came', async () => {
    const started: string[] = [];
    const queue = new BoundedQueue(2);
    const tasks = ['a', 'b', 'c', 'd'].map((name) => deferredTask(name, started));
    const all = Promise.all(tasks.map((t) => queue.run(t.task)));
    await settle();
    expect(started).toEqual(['a', 'b']);
    tasks[0].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    tasks[1].finish();
    tasks[2].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    tasks[3].finish();
    await all;
  });

  it('runFirst takes the next free slot ahead of the waiting tasks, within the same limit', async () => {
    const started: string[] = [];
    const queue = new BoundedQueue(2);
    const waiting = ['a', 'b', 'c', 'd'].map((name) => deferredTask(name, started));
    const runs = waiting.map((t) => queue.run(t.task));
    const reread = deferredTask('re-read', started);
    const first = queue.runFirst(reread.task);
    await settle();
    expect(started).toEqual(['a', 'b']);
    waiting[0].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 're-read']);
    reread.finish();
    waiting[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 're-read', 'c', 'd']);
    waiting[2].finish();
    waiting[3].finish();
    await Promise.all([...runs, first]);
  });

  it('after a failure, the tasks not yet started fail with the same error and never run', async () => {
    const started: string[] = [];
    const queue = new BoundedQueue(1);
    const failing = queue.run(async () => {
      started.push('fails');
      throw new Error('refused');
    });
    const later = queue.run(async () => {
      started.push('later');
    });
    await expect(failing).rejects.toThrow('refused');
    await expect(later).rejects.toThrow('refused');
    expect(started).toEqual(['fails']);
  });
});
