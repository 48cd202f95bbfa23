/** Where domain code reports what it is doing; commands write it to stderr (never stdout, which holds results). */
export interface Progress {
  step(message: string): void;
  warn(message: string): void;
}

export const silentProgress: Progress = { step: () => undefined, warn: () => undefined };
