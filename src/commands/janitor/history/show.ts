import { Args, Flags } from '@oclif/core';

import { historyDirectory, listRecords, readRecord } from '../../../cli/history';
import { commandContext } from '../../../cli/context';
import { JanitorCommand } from '../../../cli/janitor-command';
import { ExitCode, NothingFoundError } from '../../../errors';
import { closestNames } from '../../../domain/not-found';
import { renderHistoryRecord, summariseRecord } from '../../../render/history';
import { EMPTY_HISTORY, HistoryResult } from '../../../render/results';

export default class HistoryShow extends JanitorCommand<HistoryResult> {
  static summary = "One run: every request it sent, the cluster's answers, the verification.";

  static examples = [{ description: 'The newest run', command: '<%= config.bin %> janitor history show last' }];

  static args = {
    id: Args.string({ description: "The run's id from dcos janitor history (or 'last').", required: true }),
  };

  static flags = {
    wide: Flags.boolean({ description: 'Every request, lines not fitted to the terminal.', default: false }),
  };

  protected override emptyResult(): HistoryResult {
    return EMPTY_HISTORY;
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HistoryShow);
    this.configure(flags);
    const { dir } = historyDirectory(commandContext().env);
    this.resultSoFar({ directory: dir });
    const id = args.id === 'last' ? listRecords(dir)[0]?.id : args.id;
    const record = id ? readRecord(dir, id) : undefined;
    if (!record) {
      const known = listRecords(dir).map((run) => run.id);
      const close = closestNames(args.id, known);
      throw new NothingFoundError(
        `No run ${args.id} in ${dir}: list the runs with dcos janitor history.${close.length > 0 ? ` Did you mean ${close[0]}?` : ''}`,
        close,
      );
    }
    const summary = summariseRecord(record);
    if (flags.json)
      this.printResult(
        {
          run: { ...summary, requests: record.requests, plan: record.plan ?? null, result: record.end?.result ?? null },
        },
        ExitCode.OK,
      );
    else this.log(renderHistoryRecord(record, summary, this.view(flags.wide)));
  }
}
