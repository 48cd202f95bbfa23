import { UnexpectedResponseError } from '../errors';
import { ClusterHttp, HttpResponse, checkBody, parseBody } from '../cluster/http';
import { parseWithLargeArray } from '../cluster/json-stream';
import {
  FrameworksResponse,
  FrameworksResponseSchema,
  MesosAgent,
  MesosResource,
  SlavesResponse,
  checkSlavesResponse,
  trimAgent,
  StateSummary,
  StateSummarySchema,
} from './mesos-schemas';

/**
 * The leading Mesos master (`/master/...`), through Admin Router's `/mesos` or at its own address.
 * Operations answer with an outcome rather than throwing on 400/409, because
 * those statuses carry meaning the domain code acts on (already done, in use,
 * static, agent gone); anything else is an error from the HTTP layer.
 */

export type OperationOutcome =
  | { kind: 'accepted' }
  /** 409: the resources are not available exactly as sent (in use, already done, changed). */
  | { kind: 'conflict'; message: string }
  /** 400: Mesos refused the request itself (static, volume, unknown agent, not found). */
  | { kind: 'rejected'; message: string };

export type TeardownOutcome = { kind: 'torn-down' } | { kind: 'not-found'; message: string };

const SERVICE = 'Mesos';
const MASTER = '/master';

export class MesosClient {
  constructor(private readonly http: ClusterHttp) {}

  /** The only endpoint with reserved_resources_full (docs/reference/mesos.md §2). */
  async getAgents(): Promise<SlavesResponse> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'GET',
      path: `${MASTER}/slaves`,
      consume: streamAgents,
    });
    return checkBody<SlavesResponse>(checkSlavesResponse, response, SERVICE);
  }

  /**
   * One agent as the master sees it now, or undefined when it is not registered.
   * `slave_id` narrows the answer from Mesos 1.4; older masters ignore it and send
   * every agent, so the id is matched here either way.
   */
  async getAgent(agentId: string): Promise<MesosAgent | undefined> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'GET',
      path: `${MASTER}/slaves`,
      query: { slave_id: agentId },
      consume: streamAgents,
    });
    return checkBody<SlavesResponse>(checkSlavesResponse, response, SERVICE).slaves.find(
      (agent) => agent.id === agentId,
    );
  }

  async getFrameworks(): Promise<FrameworksResponse> {
    return (await this.readFrameworks()).frameworks;
  }

  /**
   * The frameworks, and the master's clock when it answered (its `Date` header, in ms): how long a
   * framework has been gone is measured against the clock that stamped its times, not this machine's.
   */
  async readFrameworks(): Promise<{ frameworks: FrameworksResponse; serverTime?: number }> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'GET',
      path: `${MASTER}/frameworks`,
    });
    const date = Date.parse(response.headers.date ?? '');
    return {
      frameworks: parseBody(FrameworksResponseSchema, response, SERVICE),
      serverTime: Number.isFinite(date) ? date : undefined,
    };
  }

  /** Read for the agents' hostnames only: each agent is kept as its id and hostname (18 MB at 25,000 agents). */
  async getStateSummary(): Promise<StateSummary> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'GET',
      path: `${MASTER}/state-summary`,
      consume: streamAgentNames,
    });
    return parseBody(StateSummarySchema, response, SERVICE);
  }

  async destroyVolumes(agentId: string, volumes: MesosResource[]): Promise<OperationOutcome> {
    // An empty batch is never sent: what Mesos does with volumes=[] is unverified (docs/reference/mesos.md §5).
    if (volumes.length === 0) return { kind: 'accepted' };
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'POST',
      path: `${MASTER}/destroy-volumes`,
      form: { slaveId: agentId, volumes: JSON.stringify(volumes) },
      accept: [400, 409],
    });
    return operationOutcome(response);
  }

  async unreserve(agentId: string, resources: MesosResource[]): Promise<OperationOutcome> {
    if (resources.length === 0) return { kind: 'accepted' };
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'POST',
      path: `${MASTER}/unreserve`,
      form: { slaveId: agentId, resources: JSON.stringify(resources) },
      accept: [400, 409],
    });
    return operationOutcome(response);
  }

  /**
   * 400 "No framework found" means unknown or already completed: the caller
   * re-reads /master/frameworks to tell which (docs/reference/mesos.md §3).
   */
  async teardown(frameworkId: string): Promise<TeardownOutcome> {
    const response = await this.http.request({
      service: SERVICE,
      to: 'mesos',
      method: 'POST',
      path: `${MASTER}/teardown`,
      form: { frameworkId },
      accept: [400, 404],
    });
    if (response.status >= 200 && response.status < 300) return { kind: 'torn-down' };
    // dcos-core-cli reads a 404 as "unknown framework" although Mesos answers 400; accept both.
    if (response.status === 404 || /No framework found/i.test(response.text)) {
      return { kind: 'not-found', message: response.text.trim() };
    }
    throw new UnexpectedResponseError(
      `Mesos refused ${response.endpoint} for framework ${frameworkId}: "${response.text.trim()}". Check the framework id with 'dcos janitor teardown'.`,
    );
  }
}

/**
 * The agents as they arrive, each checked and trimmed of the summaries nothing reads
 * before the next is parsed: at 25,000 agents the whole text and the whole untrimmed
 * graph never exist at once. A bad agent stops the read; checkSlavesResponse then
 * names its field.
 */
function streamAgents(chunks: AsyncIterable<Buffer>): Promise<unknown> {
  return parseWithLargeArray(chunks, 'slaves', trimAgent);
}

function streamAgentNames(chunks: AsyncIterable<Buffer>): Promise<unknown> {
  return parseWithLargeArray(chunks, 'slaves', (agent) => {
    if (typeof agent !== 'object' || agent === null) return agent;
    const { id, hostname } = agent as { id?: unknown; hostname?: unknown };
    return { id, hostname };
  });
}

function operationOutcome(response: HttpResponse): OperationOutcome {
  const message = response.text.trim();
  if (response.status === 409) return { kind: 'conflict', message };
  if (response.status === 400) return { kind: 'rejected', message };
  return { kind: 'accepted' };
}
