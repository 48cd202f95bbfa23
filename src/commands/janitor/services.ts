import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { commandContext } from '../../cli/context';
import { JanitorCommand } from '../../cli/janitor-command';
import { serviceOfRole } from '../../domain/audit';
import { serviceNameFromZkNode } from '../../domain/naming';
import { isSystemFramework, isSystemServiceName } from '../../domain/ownership';
import { EMPTY_SERVICES, ServicesResult } from '../../render/results';

/**
 * `dcos janitor services` (hidden): the service names the cluster knows, one per line,
 * for shell completion: Marathon apps that run a DC/OS service, frameworks (registered or
 * completed), and dcos-service-* nodes; never DC/OS' own. The completion scripts call it with
 * a 2 s limit; the answer is cached for a minute per cluster.
 */
export default class Services extends JanitorCommand<ServicesResult> {
  static hidden = true;
  static summary = 'List service names (for shell completion).';

  protected override emptyResult(): ServicesResult {
    return EMPTY_SERVICES;
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Services);
    this.configure(flags);
    const { marathon, mesos, exhibitor } = await this.clusterClients();
    // Cached for a minute per cluster: switching clusters never serves the other one's names.
    const cache = path.join(
      commandContext().env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
      'dcos-janitor',
      `services-${crypto.createHash('sha1').update(this.clusterIdentity).digest('hex').slice(0, 16)}`,
    );
    let sorted = readFresh(cache, 60_000);
    if (!sorted) {
      // The agents only if they come quickly (a small cluster): a large one's would not fit in completion's 2 s.
      const agents = mesos.getAgents().catch(() => undefined);
      const [apps, frameworks, znodes, slaves] = await Promise.all([
        marathon.listApps().catch(() => []),
        mesos.getFrameworks().catch(() => undefined),
        exhibitor.listChildren('/').catch(() => [] as string[]),
        Promise.race([agents, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1200).unref())]),
      ]);
      const names = new Set<string>();
      for (const app of apps)
        if (app.labels?.DCOS_SERVICE_NAME || app.labels?.DCOS_PACKAGE_FRAMEWORK_NAME)
          names.add(app.id.replace(/^\/+/, ''));
      const extra = this.extraSystemFrameworks();
      for (const framework of [...(frameworks?.frameworks ?? []), ...(frameworks?.completed_frameworks ?? [])]) {
        // DC/OS' own frameworks are never offered: every command refuses them.
        if (!isSystemFramework(framework, extra)) names.add(framework.name.replace(/^\/+/, ''));
      }
      // Services known only from what they left: their dcos-service-* node.
      for (const node of znodes) {
        const service = serviceNameFromZkNode(node);
        if (service) names.add(service.replace(/^\/+/, ''));
      }
      // ... and their reservations' roles, by the SDK naming rules (data__kafka-role -> data/kafka).
      for (const agent of slaves?.slaves ?? []) {
        for (const role of Object.keys(agent.reserved_resources_full ?? {})) {
          const service = serviceOfRole(role);
          if (service && role !== 'slave_public') names.add(service.replace(/^\/+/, ''));
        }
      }
      for (const name of names) if (isSystemServiceName(name, extra)) names.delete(name);
      sorted = [...names].sort();
      writeQuietly(cache, sorted);
    }
    if (flags.json) this.printResult({ services: sorted }, 0);
    else if (sorted.length > 0) this.log(sorted.join('\n'));
  }
}

function readFresh(file: string, maxAgeMs: number): string[] | undefined {
  try {
    if (Date.now() - fs.statSync(file).mtimeMs > maxAgeMs) return undefined;
    const names = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(names) && names.every((name) => typeof name === 'string') ? names : undefined;
  } catch {
    return undefined;
  }
}

/** A cache that cannot be written only costs a read next time. */
function writeQuietly(file: string, names: string[]): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(names));
  } catch {
    // no cache
  }
}
