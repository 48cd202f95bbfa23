import { SdkPlan } from '../clients/sdk-scheduler-schemas';

/**
 * The SDK CLI's plan tree (docs/reference/sdk-plans.md §7), line for line:
 *
 *   deploy (serial strategy) (IN_PROGRESS)
 *   ├─ phase (parallel strategy) (IN_PROGRESS)
 *   │  ├─ step (COMPLETE)
 *   │  └─ step (PENDING)
 *   └─ last-phase (serial strategy) (PENDING)
 *      └─ step (PENDING)
 *
 * Strategies are shown as the newer SDK CLI (>= 0.31) does. A scheduler older than
 * 0.31 sends no `strategy` at all; for it the tree is printed as the CLI of its
 * time did, without the strategy parts, so that the output matches what operators
 * and the SDK docs show for those services (derived: the choice of format by the
 * body's shape is ours). A body with no status either (`{}`) gets the newer format
 * with `<UNKNOWN>`, as the newer CLI prints it.
 */

const UNKNOWN = '<UNKNOWN>';

export function renderPlanTree(planName: string, plan: SdkPlan): string {
  const legacy = plan.strategy === undefined && plan.status !== undefined;
  const withStrategy = (strategy: string | undefined) => (legacy ? '' : ` (${strategy ?? UNKNOWN} strategy)`);
  const lines = [`${planName}${withStrategy(plan.strategy)} (${plan.status ?? UNKNOWN})`];
  const phases = plan.phases ?? [];
  phases.forEach((phase, phaseIndex) => {
    const lastPhase = phaseIndex === phases.length - 1;
    lines.push(
      `${lastPhase ? '└─ ' : '├─ '}${phase.name ?? UNKNOWN}${withStrategy(phase.strategy)} (${phase.status ?? UNKNOWN})`,
    );
    const steps = phase.steps ?? [];
    steps.forEach((step, stepIndex) => {
      const indent = lastPhase ? '   ' : '│  ';
      lines.push(
        `${indent}${stepIndex === steps.length - 1 ? '└─ ' : '├─ '}${step.name ?? UNKNOWN} (${step.status ?? UNKNOWN})`,
      );
    });
  });
  const errors = plan.errors ?? [];
  if (errors.length > 0) lines.push('', 'Errors:', ...errors.map((error) => `- ${error}`));
  return lines.join('\n').replace(/\s+$/, '');
}
