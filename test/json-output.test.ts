import { writeJson } from '../src/render/json';

/** --json output written in pieces is the very text JSON.stringify(value, null, 2) makes. */
describe('writeJson', () => {
  const cases: unknown[] = [
    {
      a: 1,
      b: [1, 'x', null, true, { c: [] }, {}],
      d: undefined,
      e: 'é"\\\n',
      f: [undefined, () => 1],
      g: new Date(0),
      h: { i: { j: [[1, 2], []] } },
    },
    [],
    { deep: { list: [[{ a: [1, { b: 'x\ny', c: {} }] }], [], { toJSON: () => ({ made: [1] }) }] } },
    'text',
    null,
    {
      big: Array.from({ length: 20000 }, (_, index) => ({
        agentId: `S${index}`,
        volumes: ['disk 4096 MB'],
        n: index / 3,
      })),
    },
  ];
  it.each(cases.map((value, index) => [index, value]))('case %i', (_, value) => {
    let out = '';
    writeJson(value, (text) => (out += text));
    expect(out).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });
});
