/**
 * `--json` output written as it is made, in pieces: the same text as
 * JSON.stringify(value, null, 2), without the one string of the whole result (tens of
 * MB for a plan of 25,000 agents) on top of the result itself.
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
    value.forEach((item, index) => {
      emit(inner);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') emit('null');
      else writeValue(item, inner, emit);
      emit(index < value.length - 1 ? ',\n' : '\n');
    });
    return emit(`${indent}]`);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined && typeof item !== 'function' && typeof item !== 'symbol');
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
