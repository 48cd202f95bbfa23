/** Wording helpers shared by domain messages and renderers; imports nothing. */

/**
 * One vocabulary for counts in every command: *reserved resources* are everything reserved,
 * *volumes* the persistent volumes among them, *reservations* the rest. "9 reservations and 3
 * volumes (12 reserved resources)" in audit is "unreserve 12 resources (9 reservations and the
 * disk of each of the 3 destroyed volumes)" in cleanup.
 */
export function heldResources(reservations: number, volumes: number): string {
  if (volumes === 0) return plural(reservations, 'reservation');
  if (reservations === 0) return plural(volumes, 'volume');
  return `${plural(reservations, 'reservation')} and ${plural(volumes, 'volume')} (${plural(reservations + volumes, 'reserved resource')})`;
}

/** "1 volume", "3 volumes"; an irregular plural is given. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * Prose wrapped at word boundaries to the width (a terminal's), continuation lines
 * indented; a word longer than the line (a URL, an id) stays whole on its own line.
 */
export function wrap(text: string, width: number, indent = '  '): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (paragraph.length <= width) {
      lines.push(paragraph);
      continue;
    }
    const lead = /^\s*/.exec(paragraph)?.[0] ?? '';
    const words = paragraph.trim().split(/\s+/);
    let line = lead + words[0];
    for (const word of words.slice(1)) {
      if (line.length + 1 + word.length > width) {
        lines.push(line);
        line = lead + indent + word;
      } else line += ` ${word}`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/**
 * A shell command wrapped to the width with `\` continuations, so that what is
 * copied from the terminal still runs; a word longer than the line stays whole.
 */
export function wrapCommand(prefix: string, command: string, width: number, indent = '      '): string {
  if (prefix.length + command.length <= width) return `${prefix}${command}`;
  const lines: string[] = [];
  let line = prefix.trimEnd();
  let first = true;
  for (const word of command.split(' ')) {
    const candidate = first ? `${prefix}${word}` : `${line} ${word}`;
    if (!first && candidate.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `${indent}${word}`;
    } else line = candidate;
    first = false;
  }
  lines.push(line);
  return lines.join('\n');
}
