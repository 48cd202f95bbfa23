import * as fs from 'node:fs';
import * as path from 'node:path';

import { SlavesResponseSchema, checkSlavesResponse } from '../src/clients/mesos-schemas';
import { SimCluster } from '../src/sim/server';

/**
 * Two descriptions of `/master/slaves` must agree: the zod schema (the types) and the
 * hand-written checker the client runs (fast enough for 25,000 agents). Both judge every
 * capture, every shipped scenario's answer, and every single-field mutation of them: a
 * field removed, nulled, or of another type.
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const read = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as unknown;

function bodies(): Array<[string, unknown]> {
  const element = read('mesos-1.12dev-slaves-element-partial-endpoint-format-persistent-volume-mesos-unittest.json');
  return [
    ['mesos-1.3.0 capture', read('mesos-1.3.0-slaves-dcos-checks-dcos-1.10-dev.json')],
    ['mesos-1.0.3 capture', read('mesos-1.0.3-slaves-cassandra-volume.reconstructed.json')],
    // One agent of the answer, as the Mesos test asserts it (partial: id, hostname and active added).
    ['mesos-1.12dev element', { slaves: [{ id: 'S0', hostname: 'h', active: true, ...(element as object) }] }],
  ];
}

/** Every path to a value in the body (objects and arrays), at most `limit`. */
function paths(
  value: unknown,
  limit: number,
  prefix: Array<string | number> = [],
  found: Array<Array<string | number>> = [],
): Array<Array<string | number>> {
  if (found.length >= limit || value === null || typeof value !== 'object') return found;
  for (const [key, child] of Object.entries(value)) {
    const at = [...prefix, Array.isArray(value) ? Number(key) : key];
    found.push(at);
    paths(child, limit, at, found);
  }
  return found;
}

function mutated(
  body: unknown,
  at: Array<string | number>,
  change: 'delete' | 'null' | 'number' | 'string' | 'array',
): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (change === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = { null: null, number: 7, string: 'x', array: [] }[change];
  return copy;
}

const agree = (body: unknown) =>
  SlavesResponseSchema.safeParse(body).success === (checkSlavesResponse(body) === undefined);

describe('/master/slaves: the schema and the checker agree', () => {
  it.each(bodies())('%s and each single-field mutation of it', (_, body) => {
    expect(checkSlavesResponse(body)).toBeUndefined();
    expect(SlavesResponseSchema.safeParse(body).success).toBe(true);
    const disagreements: string[] = [];
    for (const at of paths(body, 400)) {
      for (const change of ['delete', 'null', 'number', 'string', 'array'] as const) {
        if (!agree(mutated(body, at, change))) disagreements.push(`${change} ${at.join('.')}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it.each(['kafka-ui-destroyed', 'shared-role-siblings', 'cassandra-six-agents', 'messy-cluster'])(
    "the simulator's %s answer",
    async (scenario) => {
      const sim = await SimCluster.start(scenario);
      try {
        const body = await (await fetch(`${sim.url}/mesos/master/slaves`)).json();
        expect(agree(body)).toBe(true);
        expect(checkSlavesResponse(body)).toBeUndefined();
        const disagreements = paths(body, 300).flatMap((at) =>
          (['delete', 'null', 'number'] as const)
            .filter((change) => !agree(mutated(body, at, change)))
            .map((change) => `${change} ${at.join('.')}`),
        );
        expect(disagreements).toEqual([]);
      } finally {
        await sim.stop();
      }
    },
  );
});
