import { Destination, serviceUrlPath } from '../cluster/endpoints';
import { ClusterHttp, HttpResponse, parseBody } from '../cluster/http';
import { ServiceNotFoundError, UnexpectedResponseError, UnreachableError, UsageError } from '../errors';
import { MarathonClient } from './marathon';
import { MarathonApp } from './marathon-schemas';
import { CommandResultSchema, PlanNamesSchema, PlanSchema, SdkPlan } from './sdk-scheduler-schemas';

/**
 * An SDK service's scheduler: `/v1/plans...` (docs/reference/sdk-plans.md §1-§2), through Admin
 * Router's `/service/<name>`, or, inside the cluster (endpoints.ts), at the address Admin Router
 * itself would proxy to, found in Marathon (`schedulerAddress`). Plans are addressed by name,
 * never by UUID: UUIDs change on every scheduler restart.
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
  /** Task addresses found in Marathon, per service; dropped when the address stops answering (the scheduler moved). */
  private readonly located = new Map<string, string>();

  constructor(
    private readonly http: ClusterHttp,
    private readonly marathon: MarathonClient,
  ) {}

  async listPlans(service: string): Promise<string[]> {
    const response = await this.request(service, 'GET', '/v1/plans');
    return parseBody(PlanNamesSchema, response, SERVICE);
  }

  async getPlan(service: string, plan: string): Promise<PlanRead> {
    const response = await this.request(service, 'GET', `/v1/plans/${encodeURIComponent(plan)}`, {
      accept: [202, 417, 503],
    });
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
    if (response.status === 208)
      return {
        kind: 'already-done',
        message: response.text.trim() || 'Command has already been reported or completed',
      };
    if (response.status === 400) {
      throw new UsageError(
        `The scheduler of '${service}' refused ${command}: ${response.text.trim()}. Check the plan, phase and step names with 'dcos janitor plan show ${service} ${plan}'.`,
      );
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
    const base = serviceUrlPath(service);
    const send = (to: Destination, path: string) =>
      this.http.request({
        service: `The scheduler of '${service}'`,
        to,
        method,
        path,
        query: options.query && Object.keys(options.query).length > 0 ? options.query : undefined,
        json: options.json,
        accept: [404, ...(options.accept ?? [])],
      });
    let response: HttpResponse;
    if (this.http.endpoints.schedulers === 'admin-router') response = await send('admin-router', `${base}${apiPath}`);
    else {
      const cached = this.located.has(service);
      const url = await this.locate(service);
      try {
        response = await send({ url }, apiPath);
      } catch (error) {
        // A restarted scheduler runs elsewhere: look it up once more before giving up.
        if (!cached || !(error instanceof UnreachableError)) throw error;
        this.located.delete(service);
        response = await send({ url: await this.locate(service) }, apiPath);
      }
    }
    if (response.status !== 404) return response;
    const body = response.text.trim();
    if (/service not found/i.test(body)) {
      throw new ServiceNotFoundError(
        `No running service '${service}' behind ${base}: Admin Router answered "service not found". The scheduler may be restarting or gone (uninstall finished?); check 'dcos marathon app list'.`,
      );
    }
    if (/not found/i.test(body)) {
      throw new UsageError(
        `The scheduler of '${service}' answered "${body}": the plan, phase or step does not exist. List them with 'dcos janitor plan list ${service}' and 'dcos janitor plan show ${service} PLAN'.`,
      );
    }
    throw new UnexpectedResponseError(
      `The scheduler of '${service}' answered 404 to ${response.endpoint}${body ? `: "${body}"` : ''}: is it an SDK service?`,
    );
  }

  /** The scheduler's task address, as Admin Router finds it (`schedulerAddress`). */
  private async locate(service: string): Promise<string> {
    const known = this.located.get(service);
    if (known) return known;
    const wanted = service.replace(/^\/+/, '');
    const apps = (await this.marathon.listAppsWithTasks('DCOS_SERVICE_NAME')).filter(
      (app) => (app.labels?.DCOS_SERVICE_NAME ?? '').replace(/^\/+/, '') === wanted,
    );
    if (apps.length === 0) {
      throw new ServiceNotFoundError(
        `No running service '${service}': no Marathon app has DCOS_SERVICE_NAME=${wanted}. The scheduler may be gone (uninstall finished?); check 'dcos marathon app list'.`,
      );
    }
    const found = apps.map(schedulerAddress);
    const address = found.find((candidate): candidate is { url: string } => 'url' in candidate);
    if (!address) {
      throw new ServiceNotFoundError(
        `No running scheduler for '${service}' to reach: ${found.map((candidate) => ('problem' in candidate ? candidate.problem : '')).join('; ')}.`,
      );
    }
    this.located.set(service, address.url);
    return address.url;
  }
}

/**
 * Where Admin Router sends `/service/<name>` for a Marathon app (dcos/dcos
 * packages/adminrouter/extra/src/lib/cache.lua): apps labelled DCOS_SERVICE_NAME=<name>, the
 * first task in TASK_RUNNING, its host (the task's first IP address for an app with an
 * `ipAddress`, IP per task), the port at DCOS_SERVICE_PORT_INDEX, and DCOS_SERVICE_SCHEME.
 * Admin Router skips apps without the scheme or index labels; SDK schedulers carry both
 * (http, index 0), so those are the defaults here. Admin Router's other route, a framework's
 * `webui_url` from Mesos, and the port mappings of USER-network containers are not followed
 * (not needed for SDK schedulers; said as an error if met).
 */
export function schedulerAddress(app: MarathonApp): { url: string } | { problem: string } {
  const labels = app.labels ?? {};
  const scheme = labels.DCOS_SERVICE_SCHEME ?? 'http';
  const index = Number(labels.DCOS_SERVICE_PORT_INDEX ?? 0);
  if (!Number.isInteger(index) || index < 0)
    return {
      problem: `app ${app.id} has DCOS_SERVICE_PORT_INDEX '${labels.DCOS_SERVICE_PORT_INDEX}', not a port index`,
    };
  const task = (app.tasks ?? []).find((candidate) => candidate.state === 'TASK_RUNNING');
  if (!task)
    return { problem: `app ${app.id} has no task in TASK_RUNNING (the scheduler is starting, restarting or gone)` };
  const ipPerTask = app.ipAddress !== undefined && app.ipAddress !== null;
  const host = ipPerTask ? task.ipAddresses?.[0]?.ipAddress : task.host;
  const port = ipPerTask ? app.ipAddress?.discovery?.ports?.[index]?.number : task.ports?.[index];
  if (!host) return { problem: `task ${task.id} of app ${app.id} has no ${ipPerTask ? 'IP address' : 'host'} yet` };
  if (port === undefined)
    return {
      problem: `task ${task.id} of app ${app.id} has no port at index ${index}${ipPerTask ? ' (IP per task: USER-network port mappings are not followed)' : ''}`,
    };
  return { url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
