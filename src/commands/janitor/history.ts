import { Flags } from '@oclif/core';

import { clearHistory, historyDirectory, listRecords } from '../../cli/history';
import { commandContext } from '../../cli/context';
import { JanitorCommand } from '../../cli/janitor-command';
import { ExitCode } from '../../errors';
import { renderHistoryList, summariseRecord } from '../../render/history';
import { EMPTY_HISTORY, HistoryResult } from '../../render/results';
import { plural } from '../../text';

export default class History extends JanitorCommand<HistoryResult> {
  static summary = 'The runs that changed a cluster, and what the cluster answered.';

  static description =
    'Every run that sends a change (cleanup, teardown, uninstall, audit --fix, plan force-complete, apply) leaves a ' +
    'record in $DCOS_DIR/janitor/history/ (default ~/.dcos), written as it goes: an interrupted run leaves one too. ' +
    'The last 500 are kept. Show one with dcos janitor history show ID.';

  static examples = [
    { description: 'The runs, newest first', command: '<%= config.bin %> janitor history' },
    {
      description: 'One run: every request, the answers, the verification',
      command: '<%= config.bin %> janitor history show ID',
    },
    { description: 'Forget them all', command: '<%= config.bin %> janitor history --clear' },
  ];

  static flags = {
    clear: Flags.boolean({
      description: 'Delete every record (this machine only; the cluster is not touched).',
      default: false,
    }),
    limit: Flags.integer({ description: 'Show at most this many runs, newest first.', default: 50, min: 1 }),
    wide: Flags.boolean({ description: 'Lines not fitted to the terminal.', default: false }),
  };

  protected override emptyResult(): HistoryResult {
    return EMPTY_HISTORY;
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(History);
    this.configure(flags);
    const { dir } = historyDirectory(commandContext().env);
    this.resultSoFar({ directory: dir });
    if (flags.clear) {
      const cleared = clearHistory(dir);
      if (flags.json) this.printResult({ cleared }, ExitCode.OK);
      else this.log(`Deleted ${plural(cleared, 'record')} from ${dir}.`);
      return;
    }
    const runs = listRecords(dir).slice(0, flags.limit).map(summariseRecord);
    if (flags.json) this.printResult({ runs }, ExitCode.OK);
    else this.log(renderHistoryList(runs, this.view(flags.wide)));
  }
}
