import { Command, Flags, loadHelpClass } from '@oclif/core';

/** `dcos janitor`: the plugin's root. `--info` is what the DC/OS CLI asks a plugin for its one-line description. */
export default class Janitor extends Command {
  static summary = 'Clean up after Mesos frameworks: teardown, cleanup, uninstall, plan.';
  static flags = {
    info: Flags.boolean({ description: 'Print a one-line description of the plugin (for the DC/OS CLI).', hidden: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Janitor);
    if (flags.info) {
      this.log('Clean up after Mesos frameworks: teardown, cleanup, uninstall, plan');
      return;
    }
    const Help = await loadHelpClass(this.config);
    await new Help(this.config).showHelp(['janitor']);
  }
}
