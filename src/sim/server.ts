import * as http from 'node:http';
import * as https from 'node:https';

import { ClockMode, SimClock } from './clock';
import { ClusterState } from './cluster-state';
import { SimCosmos } from './cosmos-handlers';
import { ExhibitorFaults, ExhibitorViolations } from './exhibitor-handlers';
import { FaultRule, cutMidway, faultResponse, takeFault } from './faults';
import { SimResponse, materialise, text } from './http-types';
import { MarathonOptions, relaunchSchedulerAfterTeardown } from './marathon-handlers';
import { ReplayCache } from './replay-cache';
import { Listener, routeAdminRouter, routeDirect } from './routes';
import { Scenario, loadScenario } from './scenario';
import { SimScheduler } from './sdk-scheduler';
import { listen, send, writeAnswer } from './wire';

/**
 * The simulated DC/OS cluster: a real HTTP server on 127.0.0.1 playing Admin
 * Router (auth, prefix routing) in front of Mesos, Marathon and Exhibitor, plus the
 * services at their own addresses, without Admin Router's prefixes, as a task inside
 * the cluster reaches them: the leading Mesos master (also where a 307 from a non-leader
 * points; leader.mesos:5050), Marathon (marathon.mesos:8080), Exhibitor (port 8181),
 * Cosmos (127.0.0.1:7070 on a master), and each SDK scheduler at its task's host and
 * port. Like open DC/OS, those answer without a token (janitor.py's documentation: "avoiding the
 * need to authenticate itself"); Enterprise's strict mode is not simulated there. Faults
 * are injected per request on the Admin Router listener.
 */

export interface SimOptions {
  /** Added to every request before it is answered. */
  latencyMs?: number;
  /** How long a Marathon deployment (app delete) takes. */
  deploymentMs?: number;
  /** How often Cosmos' uninstall loop looks at the plan (10 s in Cosmos). */
  cosmosLoopMs?: number;
  port?: number;
  /** Serve Admin Router over HTTPS with this key and certificate (for the TLS settings' tests). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * `virtual` (the default): simulated time moves only when the test moves it, or by
   * `msPerRequest` for each request served. `real`: wall-clock timers (demo, sim.js, benchmarks).
   */
  clock?: ClockMode;
  msPerRequest?: number;
  /**
   * Default true: `/master/slaves` is made and written agent by agent (SimResponse.stream).
   * false: made whole, then sent (with a Content-Length), so that its making time
   * (`serveMs`) does not overlap the client's reading.
   */
  streamLargeAnswers?: boolean;
  /**
   * Benchmarks of read-only commands only (scripts/bench-scale.js): the bytes of each answer
   * to a GET (or to a Cosmos RPC that only reads, such as package/list) are kept and sent
   * again for the same request, until any other request arrives (then all are forgotten).
   * The client's time is then its own, not the simulator's JavaScript making 80 MB of
   * /master/slaves. Changes made by the clock alone (a relaunch, a deployment ending) are
   * not seen while an answer is kept.
   */
  replayReads?: boolean;
}

export interface RequestLogEntry {
  method: string;
  /** The path as its listener received it (an Admin Router path on "admin-router"), query included. */
  url: string;
  status: number;
  authorization?: string;
  contentType?: string;
  userAgent?: string;
  body: string;
  /** Which listener: "admin-router", or a service at its own address ("leader" is the leading Mesos master). */
  listener: Listener;
  /** The simulator's own time to make and send the answer (latency excluded): benchmarks subtract it. */
  serveMs: number;
}

export type { FaultRule, Listener };

export class SimCluster {
  readonly requests: RequestLogEntry[] = [];
  readonly faults = {
    rules: [] as FaultRule[],
    latencyMs: 0,
    /** The next N /mesos requests answer 307 to the leader's own address. */
    leaderRedirects: 0,
    /** The next N /mesos requests answer 503 "No leader elected". */
    noLeader: 0,
    exhibitor: { mutationsDisabled: false } as ExhibitorFaults,
  };
  readonly violations: ExhibitorViolations = { rootDeleteAttempted: false };
  url = '';
  /** What /metadata says as CLUSTER_ID instead of the scenario's: a test's "another cluster at this URL". */
  clusterId?: string;
  /** The leading Mesos master at its own address (leader.mesos:5050 in a cluster). */
  leaderUrl = '';
  /** Marathon, Exhibitor and Cosmos at their own addresses (marathon.mesos:8080, port 8181, 7070). */
  marathonUrl = '';
  exhibitorUrl = '';
  cosmosUrl = '';
  /**
   * Rewrites a body before it is sent (Admin Router path, body text): lets a test serve a
   * captured payload verbatim, or the same state as another tool would re-serialise it.
   */
  rewriteResponse?: (path: string, body: string) => string;
  /** Called after each request is answered and logged: lets a test change the cluster at an exact point. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** The most POSTs served at once: the tests check the client's concurrency bound with it. */
  maxConcurrentPosts = 0;
  private concurrentPosts = 0;
  /** The most requests of any method being served at once, and the connections seen: the client's fairness. */
  maxConcurrentRequests = 0;
  private concurrentRequests = 0;
  readonly connections = new Set<unknown>();
  /** SDK schedulers by Marathon app id. */
  readonly schedulers = new Map<string, SimScheduler>();
  readonly cosmos: SimCosmos;
  private readonly cosmosLoopMs: number;
  readonly clock: SimClock;
  private readonly servers: http.Server[] = [];
  private readonly schedulerServers = new Map<string, http.Server>();
  private readonly deploymentMs: number;
  private readonly streamLargeAnswers: boolean;
  /** replayReads (benchmarks only): answers to reads, sent again until anything else is asked. */
  private readonly replayed: ReplayCache | undefined;

  private constructor(
    readonly state: ClusterState,
    options: SimOptions,
  ) {
    this.clock = state.clock;
    this.faults.latencyMs = options.latencyMs ?? 0;
    this.deploymentMs = options.deploymentMs ?? 300;
    this.streamLargeAnswers = options.streamLargeAnswers ?? true;
    this.replayed = options.replayReads ? new ReplayCache() : undefined;
    this.cosmosLoopMs = options.cosmosLoopMs ?? 200;
    this.cosmos = new SimCosmos(state, () => ({
      ...this.marathonOptions(),
      loopMs: this.cosmosLoopMs,
      planStatus: (app) => {
        const scheduler = this.schedulers.get(app.id);
        if (!scheduler || app.tasksRunning === 0) return undefined;
        return scheduler.handle({
          method: 'GET',
          path: '/v1/plans/deploy',
          query: new URLSearchParams(),
          body: '',
          headers: {},
        }).status;
      },
    }));
    state.onTornDown = (framework) => relaunchSchedulerAfterTeardown(state, framework, this.marathonOptions());
    for (const app of state.apps.values()) if (app.schedulerSpec) this.startScheduler(app.id);
  }

  /** Start (or restart, with a fresh plan and no overrides) the SDK scheduler of an app. */
  startScheduler(appId: string): SimScheduler {
    const app = this.state.apps.get(appId);
    if (!app?.schedulerSpec) throw new Error(`App ${appId} runs no SDK scheduler in scenario ${this.scenario.name}`);
    const existing = this.schedulers.get(appId);
    if (existing) {
      existing.restart();
      return existing;
    }
    const scheduler = new SimScheduler(this.state, app, app.schedulerSpec);
    this.schedulers.set(appId, scheduler);
    const ticks = this.clock.every(app.schedulerSpec.stepMs, () => {
      if (this.state.apps.get(appId) !== app) {
        ticks.cancel();
        this.schedulers.delete(appId);
        return;
      }
      if (app.tasksRunning > 0) scheduler.tick();
    });
    return scheduler;
  }

  /** The scheduler serving a service name (as in /service/<name>), if its app runs. */
  schedulerOf(serviceName: string): SimScheduler | undefined {
    const wanted = serviceName.replace(/^\/+/, '');
    return [...this.schedulers.values()].find((scheduler) => scheduler.serviceName.replace(/^\/+/, '') === wanted);
  }

  marathonOptions(): MarathonOptions {
    return {
      deploymentMs: this.deploymentMs,
      later: (ms: number, work: () => void) => void this.clock.later(ms, work),
      restartScheduler: (appId: string) => {
        if (this.state.apps.get(appId)?.schedulerSpec) this.startScheduler(appId);
      },
    };
  }

  static async start(scenario: Scenario | string, options: SimOptions = {}): Promise<SimCluster> {
    const loaded = typeof scenario === 'string' ? loadScenario(scenario) : scenario;
    const clock = new SimClock(options.clock ?? 'virtual', options.msPerRequest ?? 0);
    const sim = new SimCluster(new ClusterState(loaded, clock), options);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void sim.serve(req, res, 'admin-router');
    const adminRouter = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
    sim.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${await listen(adminRouter, options.port ?? 0)}`;
    sim.servers.push(adminRouter);
    const direct = async (
      listener: Listener,
      route: (req: http.IncomingMessage, res: http.ServerResponse) => void = (req, res) =>
        void sim.serve(req, res, listener),
    ) => {
      const server = http.createServer(route);
      sim.servers.push(server);
      return `http://127.0.0.1:${await listen(server, 0)}`;
    };
    sim.leaderUrl = await direct('leader');
    sim.marathonUrl = await direct('marathon');
    sim.exhibitorUrl = await direct('exhibitor');
    sim.cosmosUrl = await direct('cosmos');
    for (const app of sim.state.apps.values()) if (app.schedulerSpec) await sim.listenForScheduler(app.id);
    return sim;
  }

  /** Each SDK scheduler listens at its task's address; Marathon reports it in the app's tasks. */
  private async listenForScheduler(appId: string): Promise<void> {
    const app = this.state.apps.get(appId);
    if (!app) throw new Error(`No app ${appId} in scenario ${this.scenario.name}`);
    const server: http.Server = http.createServer((req, res) => {
      // A request on a connection kept alive to a task that has moved: nothing answers there any more.
      if (this.schedulerServers.get(appId) !== server) return void res.socket?.destroy();
      void this.serve(req, res, 'scheduler', appId);
    });
    this.servers.push(server);
    this.schedulerServers.set(appId, server);
    app.taskAddress = { host: '127.0.0.1', ports: [await listen(server, 0)] };
  }

  /**
   * The scheduler's task is relaunched elsewhere (another port): its old address refuses
   * new connections and drops requests on kept-alive ones (an answer already being sent
   * is finished), and Marathon reports the new one.
   */
  async relocateScheduler(appId: string): Promise<void> {
    const old = this.schedulerServers.get(appId);
    await this.listenForScheduler(appId);
    old?.close();
  }

  get scenario(): Scenario {
    return this.state.scenario;
  }

  addFault(rule: FaultRule): void {
    this.faults.rules.push({ ...rule });
  }

  setAgentState(agentId: string, agentState: 'registered' | 'recovered' | 'gone'): void {
    const agent = this.state.agents.get(agentId);
    if (!agent) throw new Error(`No agent ${agentId} in scenario ${this.scenario.name}`);
    agent.state = agentState;
  }

  /** Requests whose method and Admin Router path (without query) match. */
  requestsTo(method: string, pathPrefix: string): RequestLogEntry[] {
    return this.requests.filter((entry) => entry.method === method && entry.url.split('?')[0].startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    listener: Listener,
    schedulerAppId?: string,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const isPost = req.method === 'POST';
    if (isPost) this.maxConcurrentPosts = Math.max(this.maxConcurrentPosts, ++this.concurrentPosts);
    this.maxConcurrentRequests = Math.max(this.maxConcurrentRequests, ++this.concurrentRequests);
    this.connections.add(req.socket);
    if (this.faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
    this.clock.onRequest();
    // The cluster's clock, as Admin Router and the services state it in every answer (RFC 9110
    // Date): the CLI measures how long a framework has been gone against it, so a test that moves
    // the simulated time moves what the CLI sees.
    res.setHeader('Date', new Date(this.clock.now()).toUTCString());
    const serveStarted = process.hrtime.bigint();
    const fault =
      listener === 'admin-router' ? takeFault(this.faults.rules, req.method ?? 'GET', url.pathname) : undefined;
    // Any request that is not a read forgets what was kept, faulted or not.
    const readKey = this.replayed?.keyOf(req, url, listener, schedulerAppId, body);
    const replayKey = fault ? undefined : readKey;
    const kept = replayKey ? this.replayed?.get(replayKey) : undefined;
    let response: SimResponse;
    try {
      if (kept) response = { status: kept.status };
      else if (fault && (fault.effect ?? 'status') === 'status') response = faultResponse(fault);
      else
        response =
          listener === 'admin-router'
            ? routeAdminRouter(this, req, url, body)
            : routeDirect(this, listener, req, url, body, schedulerAppId);
    } catch (error) {
      response = text(500, `Simulator error: ${(error as Error).message}`);
    }
    this.requests.push({
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      status: response.status,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      userAgent: req.headers['user-agent'],
      body: body.length > 8192 ? `${body.slice(0, 8192)}…` : body,
      listener,
      serveMs: 0,
    });
    const entry = this.requests[this.requests.length - 1];
    if (isPost) this.concurrentPosts--;
    this.concurrentRequests--;
    this.onRequest?.(this.requests[this.requests.length - 1]);
    if (kept) {
      writeAnswer(res, kept, false);
      entry.serveMs = Number(process.hrtime.bigint() - serveStarted) / 1e6;
      return;
    }
    // A rewrite or a cut needs the whole text at once; so does an answer kept to be replayed.
    if ((this.rewriteResponse || fault?.effect === 'cut' || !this.streamLargeAnswers || replayKey) && response.stream)
      response = materialise(response);
    if (this.rewriteResponse && response.body !== undefined) {
      const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      const headers =
        typeof response.body === 'string'
          ? response.headers
          : { 'Content-Type': 'application/json', ...response.headers };
      response = { ...response, headers, body: this.rewriteResponse(url.pathname, body) };
    }
    if (fault?.effect === 'hang') return;
    if (response.drop) {
      res.socket?.destroy();
      return;
    }
    if (fault?.effect === 'lose-answer') {
      res.socket?.destroy();
      return;
    }
    if (fault?.effect === 'cut') {
      cutMidway(res, response);
      return;
    }
    if (replayKey && this.replayed) writeAnswer(res, this.replayed.keep(replayKey, response), false);
    else send(res, response, req.method === 'HEAD');
    entry.serveMs = Number(process.hrtime.bigint() - serveStarted) / 1e6;
  }
}
