import Janitor from './commands/janitor';
import Apply from './commands/janitor/apply';
import Audit from './commands/janitor/audit';
import Cleanup from './commands/janitor/cleanup';
import History from './commands/janitor/history';
import HistoryShow from './commands/janitor/history/show';
import PlanForceComplete from './commands/janitor/plan/force-complete';
import PlanList from './commands/janitor/plan/list';
import PlanPause from './commands/janitor/plan/pause';
import PlanRestart from './commands/janitor/plan/restart';
import PlanResume from './commands/janitor/plan/resume';
import PlanShow from './commands/janitor/plan/show';
import PlanStart from './commands/janitor/plan/start';
import PlanStop from './commands/janitor/plan/stop';
import Services from './commands/janitor/services';
import Teardown from './commands/janitor/teardown';
import Uninstall from './commands/janitor/uninstall';

/**
 * Every command, by oclif id. oclif's "explicit" discovery reads this instead of
 * scanning a directory, so the plugin can ship as one bundled file and start fast.
 */
export const COMMANDS = {
  janitor: Janitor,
  'janitor:cleanup': Cleanup,
  'janitor:teardown': Teardown,
  'janitor:uninstall': Uninstall,
  'janitor:audit': Audit,
  'janitor:apply': Apply,
  'janitor:history': History,
  'janitor:history:show': HistoryShow,
  'janitor:plan:list': PlanList,
  'janitor:plan:show': PlanShow,
  'janitor:plan:force-complete': PlanForceComplete,
  'janitor:plan:restart': PlanRestart,
  'janitor:plan:pause': PlanPause,
  'janitor:plan:resume': PlanResume,
  'janitor:plan:start': PlanStart,
  'janitor:plan:stop': PlanStop,
  'janitor:services': Services,
};
