import { z } from 'zod';

/**
 * The SDK scheduler's plan JSON (docs/reference/sdk-plans.md §3). Every field is
 * optional: the SDK CLI prints `<UNKNOWN>` for a missing one, and old
 * schedulers (< 0.31) have no `strategy`.
 */

export const StepSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  /** A display string: PAUSING/PAUSED appear for paused pods. */
  status: z.string().optional(),
  message: z.string().optional(),
});

export const PhaseSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  strategy: z.string().optional(),
  status: z.string().optional(),
  steps: z.array(StepSchema).optional(),
});

export const PlanSchema = z.looseObject({
  phases: z.array(PhaseSchema).optional(),
  errors: z.array(z.string()).optional(),
  status: z.string().optional(),
  strategy: z.string().optional(),
});
export type SdkPlan = z.output<typeof PlanSchema>;
export type SdkPhase = z.output<typeof PhaseSchema>;
export type SdkStep = z.output<typeof StepSchema>;

export const PlanNamesSchema = z.array(z.string());

export const CommandResultSchema = z.looseObject({ message: z.string().optional() });
