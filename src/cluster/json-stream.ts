/**
 * Parse a JSON object whose one top-level array is huge (`/master/slaves`: 50 to 80 MB
 * at 25,000 agents) element by element as the bytes arrive: each element is parsed on
 * its own and handed to `onElement`, which may trim it, so the whole text and the whole
 * untrimmed graph never exist at once. The rest of the object is parsed as usual.
 *
 * A byte scanner finds the elements: structural characters are ASCII, so UTF-8
 * multi-byte sequences (all bytes >= 0x80) never look like one; strings and escapes are
 * tracked so that brackets and quotes inside values do not count.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export class JsonShapeError extends Error {}

export async function parseWithLargeArray(
  chunks: AsyncIterable<Buffer | string>,
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

  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
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
        while (quote !== -1 && backslashesBefore(chunk, quote, index) % 2 === 1) quote = chunk.indexOf(QUOTE, quote + 1);
        if (quote === -1) {
          escape = backslashesBefore(chunk, chunk.length, index) % 2 === 1;
          if (key && key.length < 256) key.push(...chunk.subarray(index, Math.min(index + 256, escape ? chunk.length - 1 : chunk.length)));
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
          elements.push(onElement(JSON.parse(text), elements.length));
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
  if (sawArray && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) (parsed as Record<string, unknown>)[arrayKey] = elements;
  return parsed;
}

/** How many backslashes stand right before `end`, not looking before `start`. */
function backslashesBefore(chunk: Buffer, end: number, start: number): number {
  let count = 0;
  for (let at = end - 1; at >= start && chunk[at] === BACKSLASH; at--) count++;
  return count;
}
