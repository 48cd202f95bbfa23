import * as path from 'node:path';

/** The layer rule of scripts/check-layers.js (run by `npm run lint`): imports point down and never circle. */

const { importGraph, violations } = require('../scripts/check-layers.js') as {
  importGraph: (root: string) => Record<string, Array<{ target: string; typeOnly: boolean }>>;
  violations: (graph: Record<string, Array<{ target: string; typeOnly: boolean }>>) => string[];
};

describe('layers', () => {
  it('src/ keeps them: no upward import, no cycle', () => {
    expect(violations(importGraph(path.resolve(__dirname, '..', 'src')))).toEqual([]);
  });

  it('an upward import fails the rule (a client reaching into the domain, errors.ts into a command)', () => {
    const graph = {
      'clients/sdk-scheduler.ts': [{ target: 'domain/naming.ts', typeOnly: false }],
      'domain/naming.ts': [{ target: 'errors.ts', typeOnly: false }],
      'errors.ts': [{ target: 'domain/stuck-steps.ts', typeOnly: true }],
      'domain/stuck-steps.ts': [],
    };
    const problems = violations(graph);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clients\/sdk-scheduler\.ts -> domain\/naming\.ts: points up/),
        expect.stringMatching(/^errors\.ts -> domain\/stuck-steps\.ts: points up/),
      ]),
    );
  });

  it('a cycle fails it, and the simulator shares no code with the tool', () => {
    const graph = {
      'domain/a.ts': [{ target: 'domain/b.ts', typeOnly: false }],
      'domain/b.ts': [{ target: 'domain/a.ts', typeOnly: false }],
      'sim/server.ts': [{ target: 'domain/a.ts', typeOnly: false }],
    };
    expect(violations(graph)).toEqual(
      expect.arrayContaining([
        'import cycle: domain/a.ts -> domain/b.ts',
        expect.stringMatching(/^sim\/server\.ts -> domain\/a\.ts: the simulator/),
      ]),
    );
  });
});
