/**
 * Where domain code reports what it is doing; commands write it to stderr (never
 * stdout, which holds results). `step` and `warn` are lines that stay; `update` and
 * `wait` are live status, shown only in a terminal (a counter, a wait with its
 * elapsed time) and dropped elsewhere.
 */
export interface Progress {
  step(message: string): void;
  warn(message: string): void;
  /**
   * Replace the live status line ("690/2000 agents, 3120/9000 resources"); `final` draws it whatever
   * the redraw rate.
   */
  update(message: string, final?: boolean): void;
  /** Remove the live status line. */
  clear(): void;
  /** A wait that may last: its message and elapsed seconds stay on screen until `end()`. */
  wait(message: string): WaitHandle;
}

export interface WaitHandle {
  update(message: string): void;
  end(): void;
}

const noWait: WaitHandle = { update: () => undefined, end: () => undefined };

export const silentProgress: Progress = {
  step: () => undefined,
  warn: () => undefined,
  update: () => undefined,
  clear: () => undefined,
  wait: () => noWait,
};

/** A counter over a batch of agents, drawn as live status: "Unreserving: 690/2000 agents, 3120/9000 resources". */
export function agentCounter(
  progress: Progress,
  label: string,
  agents: number,
  resources: number,
  noun: string,
): (resourcesDone: number) => void {
  let agentsDone = 0;
  let resourcesDone = 0;
  const draw = () =>
    progress.update(
      `${label}: ${agentsDone}/${agents} agents, ${resourcesDone}/${resources} ${noun}`,
      agentsDone === agents,
    );
  draw();
  return (done: number) => {
    agentsDone++;
    resourcesDone += done;
    draw();
  };
}
