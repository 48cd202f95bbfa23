/**
 * Tables the way `dcos service`, `kubectl get` and `gh` print them: no borders,
 * upper-case headers, columns two spaces apart, fitted to the terminal's width with
 * long cells cut by an ellipsis, never wrapped. One pass over the rows to measure and
 * one to print: linear in the number of rows (cli-table3 took 36 s for 25,000 rows).
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /**
   * When the table is too wide, columns with a higher `shrink` give up width first,
   * down to `min` (default: the header's width, at least 6). 0: never shrinks.
   */
  shrink?: number;
  min?: number;
}

const GAP = '  ';
const ELLIPSIS = '…';

/** What fitting reads of an output stream. */
export interface OutputGeometry {
  columns?: number;
  isTTY?: boolean;
}

/**
 * The width to fit: the terminal's, else $COLUMNS, else 80. Not a terminal (a pipe, a file, a
 * CI log): no width at all, so nothing is cut; as go-gh's table printer does, a pipe loses nothing.
 */
export function terminalWidth(stream: OutputGeometry = process.stdout): number {
  if (!stream.isTTY) return Number.MAX_SAFE_INTEGER;
  const columns = stream.columns ?? Number(process.env.COLUMNS);
  return Number.isFinite(columns) && columns >= 20 ? Math.floor(columns) : 80;
}

export function renderColumns(columns: Column[], rows: string[][], width = terminalWidth()): string {
  const widths = columns.map((column) => column.header.length);
  for (const row of rows) {
    for (let index = 0; index < columns.length; index++) {
      const length = (row[index] ?? '').length;
      if (length > widths[index]) widths[index] = length;
    }
  }
  fitWidths(columns, widths, width);
  const lines = [
    formatRow(
      columns.map((column) => column.header.toUpperCase()),
      columns,
      widths,
    ),
  ];
  for (const row of rows) lines.push(formatRow(row, columns, widths));
  return lines.join('\n');
}

/** Two plain columns, "Key:" then the value, fitted to the width. */
export function renderKeyValues(pairs: Array<[string, string]>, width = terminalWidth(), indent = ''): string {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => key.length + 1));
  return pairs
    .map(([key, value]) =>
      `${indent}${`${key}:`.padEnd(keyWidth)}${GAP}${truncate(value, Math.max(10, width - indent.length - keyWidth - GAP.length))}`.trimEnd(),
    )
    .join('\n');
}

/** A line cut to the width, with an ellipsis. */
export function fitLine(line: string, width = terminalWidth()): string {
  return truncate(line, width);
}

export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return ELLIPSIS.slice(0, width);
  return `${text.slice(0, width - 1)}${ELLIPSIS}`;
}

function fitWidths(columns: Column[], widths: number[], width: number): void {
  const total = () => widths.reduce((sum, value) => sum + value, 0) + GAP.length * (widths.length - 1);
  let excess = total() - width;
  if (excess <= 0) return;
  const minimum = (index: number) => columns[index].min ?? Math.max(6, columns[index].header.length);
  const order = columns
    .map((column, index) => ({ index, shrink: column.shrink ?? 1 }))
    .filter((entry) => entry.shrink > 0)
    .sort((a, b) => b.shrink - a.shrink || widths[b.index] - widths[a.index]);
  // Highest priority first; within a priority, the widest column gives the most.
  for (const priority of [...new Set(order.map((entry) => entry.shrink))]) {
    const group = order.filter((entry) => entry.shrink === priority).map((entry) => entry.index);
    while (excess > 0) {
      const widest = group.filter((index) => widths[index] > minimum(index)).sort((a, b) => widths[b] - widths[a])[0];
      if (widest === undefined) break;
      widths[widest]--;
      excess--;
    }
    if (excess <= 0) return;
  }
}

function formatRow(cells: string[], columns: Column[], widths: number[]): string {
  const parts: string[] = [];
  for (let index = 0; index < columns.length; index++) {
    const cell = truncate(cells[index] ?? '', widths[index]);
    parts.push(columns[index].align === 'right' ? cell.padStart(widths[index]) : cell.padEnd(widths[index]));
  }
  return parts.join(GAP).trimEnd();
}
