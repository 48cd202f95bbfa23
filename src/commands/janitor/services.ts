import { JanitorCommand } from '../../cli/janitor-command';
import { isSystemFramework, isSystemServiceName } from '../../domain/ownership';

/**
 * `dcos janitor services` (hidden): the service names the cluster knows, one per line,
 * for shell completion: Marathon apps that run a DC/OS service, then frameworks.
 * The completion scripts call it with a 2 s limit and cache the answer for a minute.
 */
export default class Services extends JanitorCommand {
  static hidden = true;
  static summary = 'List service names (for shell completion).';

  protected override emptyResult(): Record<string, unknown> {
    return { services: [] };
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Services);
    this.configure(flags);
    const { marathon, mesos } = await this.clusterClients();
    const [apps, frameworks] = await Promise.all([marathon.listApps().catch(() => []), mesos.getFrameworks().catch(() => undefined)]);
    const names = new Set<string>();
    for (const app of apps) if (app.labels?.DCOS_SERVICE_NAME || app.labels?.DCOS_PACKAGE_FRAMEWORK_NAME) names.add(app.id.replace(/^\/+/, ''));
    const extra = this.extraSystemFrameworks();
    for (const framework of [...(frameworks?.frameworks ?? []), ...(frameworks?.completed_frameworks ?? [])]) {
      // DC/OS' own frameworks are never offered: every command refuses them.
      if (!isSystemFramework(framework, extra)) names.add(framework.name.replace(/^\/+/, ''));
    }
    for (const name of names) if (isSystemServiceName(name, extra)) names.delete(name);
    const sorted = [...names].sort();
    if (flags.json) this.printResult({ services: sorted }, 0);
    else if (sorted.length > 0) this.log(sorted.join('\n'));
  }
}
