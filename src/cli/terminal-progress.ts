import { OutputStream } from './context';
import { Progress, WaitHandle } from '../domain/progress';
import { terminalWidth, truncate } from '../render/columns';
import { wrap } from '../text';

/**
 * Progress on stderr. In a terminal, a live status line is redrawn in place (counters,
 * waits with their elapsed time, from the moment they start); elsewhere (a pipe, a CI
 * log) only the plain step lines are written, never a redraw; with --json no live line
 * at all. Results go to stdout and never mix with this.
 */

const REDRAW_MS = 100;

export class StderrProgress implements Progress {
  private status = '';
  private lastDraw = 0;
  private readonly live: boolean;
  private held = 0;

  private readonly stream: OutputStream;

  constructor(options: { live: boolean; stream?: OutputStream }) {
    this.stream = options.stream ?? process.stderr;
    this.live = options.live && this.stream.isTTY === true;
  }

  step(message: string): void {
    this.clearLine();
    // In a terminal, lines are wrapped to its width; in a pipe or a log, one line each.
    this.stream.write(`${this.stream.isTTY ? wrap(message, terminalWidth(this.stream), '  ') : message}\n`);
    this.redraw(true);
  }

  warn(message: string): void {
    this.step(`Warning: ${message}`);
  }

  update(message: string, final = false): void {
    if (!this.live) return;
    this.status = message;
    this.redraw(final);
  }

  /**
   * A block of text or a prompt is about to be written: the live line goes first, and stays
   * away (a wait's timer included) until `release`, so nothing is drawn across a prompt.
   */
  hold(): void {
    this.clearLine();
    this.held++;
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    this.redraw(true);
  }

  clear(): void {
    if (!this.live) return;
    this.clearLine();
    this.status = '';
  }

  wait(message: string): WaitHandle {
    if (!this.live) return { update: () => undefined, end: () => undefined };
    const started = Date.now();
    let text = message;
    const draw = () => {
      this.status = `${text} (${Math.floor((Date.now() - started) / 1000)} s)`;
      this.redraw(true);
    };
    draw();
    const timer = setInterval(draw, 1000);
    timer.unref();
    return {
      update: (next) => {
        text = next;
        draw();
      },
      end: () => {
        clearInterval(timer);
        this.clear();
      },
    };
  }

  private redraw(force: boolean): void {
    if (!this.live || !this.status || this.held > 0) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.stream.write(`\r\u001b[K${truncate(this.status, terminalWidth(this.stream) - 1)}`);
  }

  private clearLine(): void {
    if (this.live && this.status && this.held === 0) this.stream.write('\r\u001b[K');
  }
}
