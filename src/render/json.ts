/**
 * `--json` output written as it is made, in pieces: the same text as
 * JSON.stringify(value, null, 2), without the one string of the whole result (tens of
 * MB for a plan of 25,000 agents) on top of the result itself. The largest piece is one
 * element of an array (one agent's entry).
 */
export function writeJson(value: unknown, write: (text: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= 65536) {
      write(buffer);
      buffer = '';
    }
  };
  writeValue(value, '', emit);
  write(`${buffer}\n`);
}

function writeValue(value: unknown, indent: string, emit: (text: string) => void): void {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return emit('[]');
    const inner = `${indent}  `;
    emit('[\n');
    // Arrays are where the size comes from (an entry per agent): each element is one
    // JSON.stringify (native; 25,000 agents: 128 ms against 157 walking them here), its lines moved in.
    value.forEach((item, index) => {
      emit(inner);
      emit(indented(item, inner));
      emit(index < value.length - 1 ? ',\n' : '\n');
    });
    return emit(`${indent}]`);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(
      ([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol',
    );
    if (entries.length === 0) return emit('{}');
    const inner = `${indent}  `;
    emit('{\n');
    entries.forEach(([key, item], index) => {
      emit(`${inner}${JSON.stringify(key)}: `);
      writeValue(item, inner, emit);
      emit(index < entries.length - 1 ? ',\n' : '\n');
    });
    return emit(`${indent}}`);
  }
  emit(JSON.stringify(value) ?? 'null');
}

/** JSON.stringify(value, null, 2) as it reads at `indent` (a JSON text has no newline but between its tokens). */
function indented(value: unknown, indent: string): string {
  const text: string | undefined = JSON.stringify(value, null, 2);
  if (text === undefined) return 'null';
  return text.includes('\n') ? text.replace(/\n/g, `\n${indent}`) : text;
}
