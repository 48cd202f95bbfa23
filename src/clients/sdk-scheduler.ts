import { ClusterHttp, HttpResponse, parseBody } from '../cluster/http';
import { ServiceNotFoundError, UnexpectedResponseError, UsageError } from '../errors';
import { deriveServiceNames } from '../domain/naming';
import { CommandResultSchema, PlanNamesSchema, PlanSchema, SdkPlan } from './sdk-scheduler-schemas';

/**
 * An SDK service's scheduler through Admin Router: `/service/<name>/v1/plans...`
 * (reference/sdk-plans.md §1-§2). Plans are addressed by name, never by UUID:
 * UUIDs change on every scheduler restart.
 */

export type PlanCommand = 'start' | 'stop' | 'continue' | 'interrupt' | 'forceComplete' | 'restart';

export interface PlanRead {
  /** 200 complete, 202 in progress, 417 ERROR, 503 in progress on SDK < 0.15. */
  httpStatus: number;
  plan: SdkPlan;
  /** The body as the scheduler sent it, for --json. */
  body: unknown;
}

export type CommandOutcome = { kind: 'done'; message: string } | { kind: 'already-done'; message: string };

const SERVICE = 'SDK scheduler';

export class SdkSchedulerClient {
  constructor(private readonly http: ClusterHttp) {}

  async listPlans(service: string): Promise<string[]> {
    const response = await this.request(service, 'GET', '/v1/plans');
    return parseBody(PlanNamesSchema, response, SERVICE);
  }

  async getPlan(service: string, plan: string): Promise<PlanRead> {
    const response = await this.request(service, 'GET', `/v1/plans/${encodeURIComponent(plan)}`, { accept: [202, 417, 503] });
    return { httpStatus: response.status, plan: parseBody(PlanSchema, response, SERVICE), body: response.body };
  }

  async command(
    service: string,
    plan: string,
    command: PlanCommand,
    target: { phase?: string; step?: string; parameters?: Record<string, string> } = {},
  ): Promise<CommandOutcome> {
    const query: Record<string, string> = {};
    if (target.phase !== undefined) query.phase = target.phase;
    if (target.step !== undefined) query.step = target.step;
    const response = await this.request(service, 'POST', `/v1/plans/${encodeURIComponent(plan)}/${command}`, {
      query,
      json: command === 'start' ? (target.parameters ?? {}) : undefined,
      accept: [208, 400],
    });
    if (response.status === 208) return { kind: 'already-done', message: response.text.trim() || 'Command has already been reported or completed' };
    if (response.status === 400) {
      throw new UsageError(`The scheduler of '${service}' refused ${command}: ${response.text.trim()}. Check the plan, phase and step names with 'dcos janitor plan show ${service} ${plan}'.`);
    }
    const result = response.body === undefined ? {} : parseBody(CommandResultSchema, response, SERVICE);
    return { kind: 'done', message: result.message ?? '' };
  }

  /**
   * Two different 404s: Admin Router's "service not found" (no running scheduler of
   * that name) and the scheduler's own "Plan/Phase/Step X not found" ("Element not
   * found" before SDK 0.50).
   */
  private async request(
    service: string,
    method: 'GET' | 'POST',
    apiPath: string,
    options: { query?: Record<string, string>; json?: unknown; accept?: number[] } = {},
  ): Promise<HttpResponse> {
    const base = deriveServiceNames(service).serviceUrlPath;
    const response = await this.http.request({
      service: `The scheduler of '${service}'`,
      method,
      path: `${base}${apiPath}`,
      query: options.query && Object.keys(options.query).length > 0 ? options.query : undefined,
      json: options.json,
      accept: [404, ...(options.accept ?? [])],
    });
    if (response.status !== 404) return response;
    const body = response.text.trim();
    if (/service not found/i.test(body)) {
      throw new ServiceNotFoundError(
        `No running service '${service}' behind ${base}: Admin Router answered "service not found". The scheduler may be restarting or gone (uninstall finished?); check 'dcos marathon app list'.`,
      );
    }
    if (/not found/i.test(body)) {
      throw new UsageError(`The scheduler of '${service}' answered "${body}": the plan, phase or step does not exist. List them with 'dcos janitor plan list ${service}' and 'dcos janitor plan show ${service} PLAN'.`);
    }
    throw new UnexpectedResponseError(`The scheduler of '${service}' answered 404 to ${response.endpoint}${body ? `: "${body}"` : ''}: is it an SDK service?`);
  }
}
