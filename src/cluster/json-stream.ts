/**
 * Parse a JSON object whose one top-level array may be huge (`/master/slaves`: 50 to 80 MB
 * at 25,000 agents) element by element as the bytes arrive: each element is parsed on
 * its own and handed to `onElement`, which may trim it, so the whole text and the whole
 * untrimmed graph never exist at once. The rest of the object is parsed as usual.
 *
 * An answer that ends before `wholeBelowBytes` is parsed whole instead, its elements then
 * handed to `onElement` just the same: JSON.parse in one go costs a third of the scan in a
 * process that has just started (1 MB, 300 agents: 9 ms against 28 ms), and below a few
 * megabytes the memory the scan saves does not matter.
 *
 * A byte scanner finds the elements: structural characters are ASCII, so UTF-8
 * multi-byte sequences (all bytes >= 0x80) never look like one; strings and escapes are
 * tracked so that brackets and quotes inside values do not count. In compact output most
 * elements are found faster, by a guess that JSON.parse checks (the shortcut, below).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export class JsonShapeError extends Error {}

/** 8 MiB: about 2,500 agents of /master/slaves. */
export const WHOLE_BELOW_BYTES = 8 * 1024 * 1024;

export async function parseWithLargeArray(
  chunks: AsyncIterable<Buffer | string>,
  arrayKey: string,
  onElement: (element: unknown, index: number) => unknown,
  options: { wholeBelowBytes?: number } = {},
): Promise<unknown> {
  const limit = options.wholeBelowBytes ?? WHOLE_BELOW_BYTES;
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size < limit) {
    const next = await iterator.next();
    if (next.done) return parseWhole(Buffer.concat(head).toString('utf8'), arrayKey, onElement);
    const chunk = asBuffer(next.value);
    head.push(chunk);
    size += chunk.length;
  }
  return scanLargeArray(rejoin(head, iterator), arrayKey, onElement);
}

function parseWhole(text: string, arrayKey: string, onElement: (element: unknown, index: number) => unknown): unknown {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const elements = (parsed as Record<string, unknown>)[arrayKey];
  if (!Array.isArray(elements)) return parsed;
  // The same rule as the scan: the array holds objects (or arrays), nothing else.
  if (elements.some((element) => typeof element !== 'object' || element === null)) {
    throw new JsonShapeError(`'${arrayKey}' holds something other than objects`);
  }
  (parsed as Record<string, unknown>)[arrayKey] = elements.map((element, index) => onElement(element, index));
  return parsed;
}

async function* rejoin(head: Buffer[], rest: AsyncIterator<Buffer | string>): AsyncIterable<Buffer> {
  let done = false;
  try {
    yield* head;
    for (;;) {
      const next = await rest.next();
      if (next.done) return void (done = true);
      yield asBuffer(next.value);
    }
  } finally {
    // The scan stopped early (a bad element): let the source close too, as for-await would.
    if (!done) await rest.return?.();
  }
}

const asBuffer = (raw: Buffer | string): Buffer => (typeof raw === 'string' ? Buffer.from(raw) : raw);

async function scanLargeArray(
  chunks: AsyncIterable<Buffer>,
  arrayKey: string,
  onElement: (element: unknown, index: number) => unknown,
): Promise<unknown> {
  const skeleton: Buffer[] = [];
  let element: Buffer[] = [];
  const elements: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escape = false;
  let inArray = false;
  let inElement = false;
  let key: number[] | undefined;
  /** The last string read at depth 1, and the key it became once a ':' followed it. */
  let candidate = '';
  let lastKey = '';
  let sawArray = false;
  /**
   * The shortcut (see below): `},{"id":` when the first element began `{"id":`; undefined
   * before the first element, null once it does not apply.
   */
  let delimiter: Buffer | null | undefined;
  let missesInARow = 0;

  for await (const chunk of chunks) {
    // Where the bytes of this chunk not yet copied start, and where they go.
    let from = 0;
    const flush = (to: number) => {
      if (to <= from) return;
      if (inElement) element.push(chunk.subarray(from, to));
      else if (!inArray) skeleton.push(chunk.subarray(from, to));
      from = to;
    };
    for (let index = 0; index < chunk.length; index++) {
      if (inString) {
        // Most of the bytes are inside strings: jump to the closing quote (memchr) rather
        // than look at each byte. A quote after an odd run of backslashes is escaped.
        if (escape) {
          escape = false;
          if (key && key.length < 256) key.push(chunk[index]);
          continue;
        }
        let quote = chunk.indexOf(QUOTE, index);
        while (quote !== -1 && backslashesBefore(chunk, quote, index) % 2 === 1)
          quote = chunk.indexOf(QUOTE, quote + 1);
        if (quote === -1) {
          escape = backslashesBefore(chunk, chunk.length, index) % 2 === 1;
          if (key && key.length < 256)
            key.push(...chunk.subarray(index, Math.min(index + 256, escape ? chunk.length - 1 : chunk.length)));
          index = chunk.length;
          continue;
        }
        if (key) {
          // Keys are short; a long string value at the top level is cut, never spread whole.
          if (key.length < 256) key.push(...chunk.subarray(index, Math.min(quote, index + 256)));
          candidate = Buffer.from(key).toString('utf8');
          key = undefined;
        }
        inString = false;
        index = quote;
        continue;
      }
      const byte = chunk[index];
      if (byte === QUOTE) {
        inString = true;
        if (depth === 1) key = [];
      } else if (depth === 1 && byte === 0x3a) {
        lastKey = candidate;
      } else if (depth === 1 && byte === 0x2c) {
        lastKey = '';
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (delimiter && inArray && !inElement && depth === 2) {
          // The shortcut: compact output (Mesos') starts every agent with the same key, so the
          // element most likely ends right before the next `,{"id":`. JSON.parse checks the guess:
          // a text that begins with '{' and parses is exactly one whole object (the grammar closes
          // an object at one place only), so a wrong guess (the delimiter inside a string, an
          // element cut by the chunk's end) fails or is not found, and the byte scan below takes
          // that element instead. Most of the scan's work is skipped: 80 MB at 25,000 agents.
          const end = chunk.indexOf(delimiter, index + 1);
          const parsed = end === -1 ? undefined : parseOrUndefined(chunk.toString('utf8', index, end + 1));
          if (parsed !== undefined) {
            missesInARow = 0;
            elements.push(onElement(parsed, elements.length));
            index = end;
            from = end + 1;
            continue;
          }
          // Rare when it applies (the end of a chunk): after a run of misses, scan every byte.
          if (++missesInARow > 8) delimiter = null;
        }
        depth++;
        if (byte === OPEN_ARRAY && depth === 2 && lastKey === arrayKey && !sawArray) {
          // The array's own bracket stays in the skeleton; what is between goes element by element.
          flush(index + 1);
          inArray = true;
          sawArray = true;
        } else if (inArray && !inElement && depth === 3) {
          from = index;
          inElement = true;
        }
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth--;
        if (inElement && depth === 2) {
          flush(index + 1);
          inElement = false;
          // Most elements lie within one chunk: decoded in place, not copied first.
          const text = element.length === 1 ? element[0].toString('utf8') : Buffer.concat(element).toString('utf8');
          element = [];
          const parsed: unknown = JSON.parse(text);
          if (delimiter === undefined) delimiter = delimiterAfter(text, parsed);
          elements.push(onElement(parsed, elements.length));
        } else if (inArray && !inElement && depth === 1) {
          from = index;
          inArray = false;
        }
      } else if (inArray && !inElement && depth === 2 && byte > 0x20 && byte !== 0x2c) {
        throw new JsonShapeError(`'${arrayKey}' holds something other than objects`);
      }
    }
    flush(chunk.length);
  }
  if (inString || depth !== 0) throw new JsonShapeError('the answer ended before the JSON did');
  const parsed: unknown = JSON.parse(Buffer.concat(skeleton).toString('utf8'));
  if (sawArray && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
    (parsed as Record<string, unknown>)[arrayKey] = elements;
  return parsed;
}

/**
 * `},{"<first key>":` when the element's text begins exactly `{"<first key>":` (compact
 * output); null otherwise (spaces, escapes, an empty object, an array), and then every byte is scanned.
 */
function delimiterAfter(text: string, parsed: unknown): Buffer | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const firstKey = Object.keys(parsed)[0];
  if (firstKey === undefined) return null;
  const opening = `{${JSON.stringify(firstKey)}:`;
  return text.startsWith(opening) ? Buffer.from(`},${opening}`, 'utf8') : null;
}

/** A guessed element's value, or undefined when the guess was wrong (JSON never parses to undefined). */
function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** How many backslashes stand right before `end`, not looking before `start`. */
function backslashesBefore(chunk: Buffer, end: number, start: number): number {
  let count = 0;
  for (let at = end - 1; at >= start && chunk[at] === BACKSLASH; at--) count++;
  return count;
}
