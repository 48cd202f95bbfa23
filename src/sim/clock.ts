/**
 * The simulator's time. Everything that happens "later" in the simulated cluster
 * (a Marathon deployment finishing, Cosmos' uninstall loop, an SDK scheduler's plan
 * making progress) is scheduled here, never on the process's own timers.
 *
 * - `real`: wall-clock timers, for the demo, `scripts/sim.js` and the benchmarks.
 * - `virtual`: time stands still until it is moved: by the test (`advance`), or by
 *   `msPerRequest` of simulated time for every request served, so that a client that
 *   polls moves the cluster along however slow the machine is. The same requests
 *   always see the same states: a test waits for a state, never for a deadline.
 */

export type ClockMode = 'real' | 'virtual';

interface Scheduled {
  id: number;
  due: number;
  work: () => void;
  /** Set for repeating work (scheduler ticks). */
  every?: number;
}

export interface ClockHandle {
  cancel(): void;
}

export class SimClock {
  /** Simulated milliseconds moved per request served (virtual clock only). */
  msPerRequest: number;
  private virtualNow = 1_700_000_000_000;
  private readonly pending = new Map<number, Scheduled>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  constructor(
    readonly mode: ClockMode,
    msPerRequest = 0,
  ) {
    this.msPerRequest = msPerRequest;
  }

  /** Milliseconds since the epoch, simulated or real. */
  now(): number {
    return this.mode === 'real' ? Date.now() : this.virtualNow;
  }

  later(ms: number, work: () => void): ClockHandle {
    return this.add({ id: this.nextId++, due: this.now() + ms, work });
  }

  every(ms: number, work: () => void): ClockHandle {
    return this.add({ id: this.nextId++, due: this.now() + ms, work, every: Math.max(1, ms) });
  }

  /**
   * Move virtual time forward, running everything that falls due on the way, in
   * order of due time (work scheduled by work that runs is included).
   */
  advance(ms: number): void {
    if (this.mode === 'real')
      throw new Error('advance() needs a virtual clock: start the simulator with { clock: "virtual" }');
    const target = this.virtualNow + ms;
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > target) break;
      this.virtualNow = Math.max(this.virtualNow, next.due);
      if (next.every) next.due += next.every;
      else this.pending.delete(next.id);
      next.work();
    }
    this.virtualNow = target;
  }

  /**
   * Advance in steps until `ready()` holds; throws after `maxMs` of simulated time,
   * which says the state is never reached (a bug), not that the machine is slow.
   */
  advanceUntil(ready: () => boolean, options: { stepMs?: number; maxMs?: number } = {}): void {
    const stepMs = options.stepMs ?? 10;
    const maxMs = options.maxMs ?? 600_000;
    for (let spent = 0; !ready(); spent += stepMs) {
      if (spent >= maxMs)
        throw new Error(`The simulated cluster did not reach the awaited state within ${maxMs} ms of simulated time`);
      this.advance(stepMs);
    }
  }

  /** Called by the server for every request it serves. */
  onRequest(): void {
    if (this.mode === 'virtual' && this.msPerRequest > 0) this.advance(this.msPerRequest);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.pending.clear();
  }

  private add(entry: Scheduled): ClockHandle {
    this.pending.set(entry.id, entry);
    if (this.mode === 'real') this.arm(entry);
    return { cancel: () => this.cancel(entry.id) };
  }

  private arm(entry: Scheduled): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(entry.id);
        if (!this.pending.has(entry.id)) return;
        if (entry.every) {
          entry.due += entry.every;
          this.arm(entry);
        } else this.pending.delete(entry.id);
        entry.work();
      },
      Math.max(0, entry.due - Date.now()),
    );
    this.timers.set(entry.id, timer);
  }

  private cancel(id: number): void {
    this.pending.delete(id);
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private nextDue(): Scheduled | undefined {
    let next: Scheduled | undefined;
    for (const entry of this.pending.values())
      if (!next || entry.due < next.due || (entry.due === next.due && entry.id < next.id)) next = entry;
    return next;
  }
}
