import * as fs from 'node:fs';
import * as path from 'node:path';

import { JsonShapeError, parseWithLargeArray } from '../src/cluster/json-stream';

/** The element-by-element parser of /master/slaves gives exactly what JSON.parse gives, however the bytes are cut. */

async function* chunksOf(text: string, size: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

/** Both ways: parsed whole (an answer smaller than the limit) and scanned element by element (0: always scan). */
const modes = [
  ['whole', {}],
  ['scanned', { wholeBelowBytes: 0 }],
  ['scanned after the first bytes', { wholeBelowBytes: 16 }],
] as const;

describe.each(modes)('parseWithLargeArray (%s)', (mode, options) => {
  const parse = (text: string, size: number, key = 'slaves') =>
    parseWithLargeArray(chunksOf(text, size), key, (element) => element, options);

  const captures = [
    'mesos-1.0.3-slaves-cassandra-volume.reconstructed.json',
    'mesos-1.3.0-slaves-dcos-checks-dcos-1.10-dev.json',
  ].map((name) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

  it.each([1, 7, 64, 4096, 1 << 20])('equals JSON.parse on the captures, in chunks of %i bytes', async (size) => {
    for (const text of captures) expect(await parse(text, size)).toEqual(JSON.parse(text));
  });

  it('strings with brackets, quotes, escapes and multi-byte characters do not confuse it', async () => {
    const tricky = {
      before: 'slaves',
      x: ['[', '{'],
      slaves: [
        { id: 'a"]}[{', hostname: 'h\\\\', note: 'é€😀 \\" ]', nested: { deep: [[{ k: '}' }]] } },
        { id: 'b', hostname: '\u0000\n' },
      ],
      recovered_slaves: [{ id: 'c' }],
    };
    const text = JSON.stringify(tricky);
    for (const size of [1, 3, 5, 1000]) expect(await parse(text, size)).toEqual(tricky);
  });

  it('hands each element to the callback, which may trim it, in order', async () => {
    const text = JSON.stringify({
      slaves: [
        { id: 1, big: 'x' },
        { id: 2, big: 'y' },
      ],
    });
    const seen: number[] = [];
    const result = await parseWithLargeArray(
      chunksOf(text, 4),
      'slaves',
      (element, index) => {
        seen.push(index);
        delete (element as { big?: string }).big;
        return element;
      },
      options,
    );
    expect(seen).toEqual([0, 1]);
    expect(result).toEqual({ slaves: [{ id: 1 }, { id: 2 }] });
  });

  it('an answer cut short, or not JSON, is an error', async () => {
    // Both are read by the HTTP layer as "not JSON".
    await expect(parse('{"slaves":[{"id":"a"},{"id":', 5)).rejects.toThrow(
      mode === 'whole' ? SyntaxError : JsonShapeError,
    );
    await expect(parse('{"slaves":[1,2]}', 5)).rejects.toThrow(JsonShapeError);
    await expect(parse('<html>', 5)).rejects.toThrow(SyntaxError);
  });

  it("many compact agents, some with the next agent's opening inside their strings, in any chunking", async () => {
    // Compact output lets the parser guess where an agent ends (before the next `,{"id":`);
    // these agents make some guesses wrong, which must change nothing.
    const agents = Array.from({ length: 120 }, (_, index) => ({
      id: `agent-${index}`,
      hostname: index % 7 === 0 ? `h},{"id":"fake-${index}` : `10.0.0.${index}`,
      attributes: index % 11 === 0 ? { note: '\\"},{"id":' } : {},
      reserved_resources_full: { role: [{ name: 'disk', disk: { persistence: { id: `},{"id":${index}` } } }] },
      nested: [{ id: 'inner' }, { id: 'inner-2' }],
    }));
    const compact = JSON.stringify({ slaves: agents, recovered_slaves: [] });
    const indented = JSON.stringify({ slaves: agents, recovered_slaves: [] }, null, 2);
    const differentFirstKeys = JSON.stringify({
      slaves: agents.map(({ id, ...rest }, index) => (index % 3 === 0 ? { ...rest, id } : { id, ...rest })),
    });
    for (const text of [compact, indented, differentFirstKeys]) {
      for (const size of [1, 13, 4096, 65536]) expect(await parse(text, size)).toEqual(JSON.parse(text));
    }
  });

  it('a bad element closes the source, as a for-await over it would', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('{"slaves":[{"id":"a"},');
        yield Buffer.from('1,');
        yield Buffer.from('{"id":"b"}]}');
      } finally {
        closed = true;
      }
    }
    await expect(parseWithLargeArray(source(), 'slaves', (element) => element, options)).rejects.toThrow(
      JsonShapeError,
    );
    expect(closed).toBe(true);
  });
});
