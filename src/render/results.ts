import type { AcceptedSoFar, CleanupOutcome, Verification } from '../domain/cleanup';
import type { FixStep } from '../domain/audit-fix';
import type { StuckStep } from '../domain/stuck-steps';
import type { FrameworkView, RemainingReservations, TeardownOutcome } from '../domain/teardown';
import type { Route, UninstallReport } from '../domain/uninstall';
import type { OperationCounts } from '../domain/apply';
import type { Drift } from '../domain/saved-plan';
import type { RunRecord } from '../domain/history-record';
import type { RecordSummary } from './history';
import type { auditJson } from './audit';
import type { cleanupJson } from './cleanup';

/**
 * The --json result of each command, as a type: what docs/json/<command>.schema.json
 * publishes and the tests check every output against. Every key is present in every mode
 * (a dry run, a real run, a list, an error); the envelope (schemaVersion, command,
 * exitCode, error) is added by the command base.
 */

export interface ResultError {
  kind: string;
  message: string;
  exitCode: number;
  suggestions?: string[];
}

type CleanupJson = ReturnType<typeof cleanupJson>;

export interface CleanupResult {
  /** --out: the path the dry run saved its plan to (docs/plan-files.md). */
  savedPlan: string | null;
  dryRun: boolean;
  target: CleanupJson['target'] | null;
  plan: CleanupJson['plan'] | null;
  /** What Mesos and Exhibitor accepted, when the run stopped before its verification (docs/json.md). */
  accepted: AcceptedSoFar | null;
  outcome: CleanupOutcome | null;
  verification: Verification | null;
  notFound: boolean;
  message: string | null;
}

export interface TeardownResult {
  /** --out: the path the dry run saved its plan to (docs/plan-files.md). */
  savedPlan: string | null;
  dryRun: boolean;
  candidates: FrameworkView[];
  frameworks: FrameworkView[];
  outcomes: TeardownOutcome[];
  remainingReservations: RemainingReservations[];
  cleanups: CleanupJson[];
  notFound: boolean;
  message: string | null;
}

export interface UninstallResult {
  /** --out: the path the dry run saved its plan to (docs/plan-files.md). */
  savedPlan: string | null;
  dryRun: boolean;
  service: string | null;
  /** The route taken: `legacy` when Cosmos refused and the manual route ran. */
  route: Route | null;
  why: string | null;
  inventory: Record<string, unknown> | null;
  report: UninstallReport | null;
  verification: Verification | null;
  stuck: StuckStep[];
  notFound: boolean;
  message: string | null;
}

type AuditJson = ReturnType<typeof auditJson>;

export interface AuditResult {
  /** --out: the path the dry run saved its plan to (docs/plan-files.md). */
  savedPlan: string | null;
  clean: boolean;
  read: AuditJson['read'] | null;
  findings: AuditJson['findings'];
  /** With --fix: the findings before it. */
  before: AuditJson['findings'];
  /** With --fix: per service, each command and its result (`dry-run` with --dry-run). */
  fixed: Array<{ service: string; steps: FixStep[]; skipped?: string }>;
  /** With --fix: what it would not run unattended, each with why. */
  leftToOperator: AuditJson['findings'];
}

/** One document for every plan verb: what a verb does not fill stays null or empty. */
export interface PlanResult {
  service: string | null;
  plan: string | null;
  phase: string | null;
  step: string | null;
  plans: string[];
  status: string | null;
  /** `plan show`: the scheduler's answer as it came. */
  body: unknown;
  stuck: StuckStep[];
  forced: unknown[];
  result: string | null;
  message: string | null;
}

/** `apply`: the saved plan, the cluster now, drift, and what the read after the run shows (docs/plan-files.md). */
export interface ApplyResult {
  dryRun: boolean;
  planFile: string | null;
  plan: {
    createdAt: string;
    toolVersion: string;
    command: string;
    cluster: { url: string; id: string | null };
    steps: number;
    operations: number;
  } | null;
  cluster: { url: string; id: string | null } | null;
  ageSeconds: number | null;
  steps: Array<{
    index: number;
    command: string;
    /** Operations already done and still to do, when the cluster was compared with the plan. */
    before: { done: number; pending: number };
    result: string | null;
    detail: string | null;
    /** The same, from the read after the run. */
    after: { done: number; pending: number } | null;
  }>;
  drift: Drift[];
  /** Every operation of the plan done, by the read after the run; null when it did not get that far. */
  verified: boolean | null;
  /** Operations this run made happen (pending before, gone after), by kind. */
  applied: OperationCounts | null;
  alreadyDone: OperationCounts | null;
  /** Operations of the plan still on the cluster after the run. */
  remaining: number | null;
  /** What the read after the run shows of the targets that the plan did not have (left alone). */
  notInPlan: Drift[];
  message: string | null;
}

/** `history` and `history show`: summaries, and one record (docs/history.md). */
export interface HistoryResult {
  directory: string | null;
  runs: RecordSummary[];
  run: (RecordSummary & { requests: RunRecord['requests']; plan: unknown; result: unknown }) | null;
  cleared: number | null;
}

export interface ServicesResult {
  services: string[];
}

export const EMPTY_CLEANUP: CleanupResult = {
  dryRun: false,
  target: null,
  plan: null,
  accepted: null,
  outcome: null,
  verification: null,
  notFound: false,
  message: null,
  savedPlan: null,
};
export const EMPTY_TEARDOWN: TeardownResult = {
  dryRun: false,
  candidates: [],
  frameworks: [],
  outcomes: [],
  remainingReservations: [],
  cleanups: [],
  notFound: false,
  message: null,
  savedPlan: null,
};
export const EMPTY_UNINSTALL: UninstallResult = {
  dryRun: false,
  service: null,
  route: null,
  why: null,
  inventory: null,
  report: null,
  verification: null,
  stuck: [],
  notFound: false,
  message: null,
  savedPlan: null,
};
export const EMPTY_AUDIT: AuditResult = {
  clean: false,
  read: null,
  findings: [],
  before: [],
  fixed: [],
  leftToOperator: [],
  savedPlan: null,
};
export const EMPTY_PLAN: PlanResult = {
  service: null,
  plan: null,
  phase: null,
  step: null,
  plans: [],
  status: null,
  body: null,
  stuck: [],
  forced: [],
  result: null,
  message: null,
};
export const EMPTY_APPLY: ApplyResult = {
  dryRun: false,
  planFile: null,
  plan: null,
  cluster: null,
  ageSeconds: null,
  steps: [],
  drift: [],
  verified: null,
  applied: null,
  alreadyDone: null,
  remaining: null,
  notInPlan: [],
  message: null,
};
export const EMPTY_HISTORY: HistoryResult = { directory: null, runs: [], run: null, cleared: null };
export const EMPTY_SERVICES: ServicesResult = { services: [] };
