#!/usr/bin/env node
/**
 * docs/commands.md, made from the commands' own metadata (summary, description, arguments,
 * flags, examples): what `--help` shows, so the two cannot drift apart.
 * `node scripts/command-reference.js` writes it (after `npm run build`);
 * test/command-reference.test.ts fails when the file is not what this makes.
 */
const fs = require('node:fs');
const path = require('node:path');

const OUT = path.resolve(__dirname, '..', 'docs', 'commands.md');

function commands() {
  // The bundle `npm run build` makes: the same objects oclif reads.
  return require(path.resolve(__dirname, '..', 'dist', 'dcos-janitor.js')).COMMANDS;
}

const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s+/g, ' ')
    .trim();

function flagRow(name, flag) {
  const names = [flag.char ? `-${flag.char}` : '', `--${name}${flag.type === 'option' ? ' VALUE' : ''}`]
    .filter(Boolean)
    .join(', ');
  const extra = [];
  if (flag.default !== undefined && flag.default !== false) extra.push(`default ${JSON.stringify(flag.default)}`);
  if (flag.options) extra.push(`one of ${flag.options.join(', ')}`);
  if (flag.multiple) extra.push('repeatable');
  if (flag.env) extra.push(`env ${flag.env}`);
  return `| \`${names}\` | ${cell(flag.description)}${extra.length > 0 ? ` (${extra.join('; ')})` : ''} |`;
}

function render() {
  const all = commands();
  const lines = [
    '# Command reference',
    '',
    'Made by `scripts/command-reference.js` from the commands themselves (what `--help` shows);',
    'a test fails when this file and the commands differ. Guides: [commands/](commands/).',
    '',
  ];
  const shared = {};
  for (const [id, command] of Object.entries(all)) {
    if (id === 'janitor' || command.hidden) continue;
    const words = id.split(':').slice(1).join(' ');
    const flags = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) };
    lines.push(`## dcos janitor ${words}`, '', cell(command.summary), '');
    if (command.description) lines.push(cell(command.description), '');
    const args = Object.entries(command.args ?? {});
    lines.push(
      '```',
      `dcos janitor ${words}${args.map(([name, arg]) => (arg.required ? ` ${name.toUpperCase()}` : ` [${name.toUpperCase()}]`)).join('')} [FLAGS]`,
      '```',
      '',
    );
    if (args.length > 0) {
      lines.push('| Argument | Meaning |', '|---|---|');
      for (const [name, arg] of args)
        lines.push(`| \`${name.toUpperCase()}\`${arg.required ? '' : ' (optional)'} | ${cell(arg.description)} |`);
      lines.push('');
    }
    const own = Object.entries(flags).filter(([, flag]) => !flag.hidden);
    if (own.length > 0) {
      lines.push('| Flag | Meaning |', '|---|---|');
      for (const [name, flag] of own.sort(([a], [b]) => a.localeCompare(b))) lines.push(flagRow(name, flag));
      lines.push('');
    }
    for (const [name, flag] of Object.entries(flags))
      if (flag.hidden && flag.helpGroup === 'CONNECTION') shared[name] = flag;
    const examples = (command.examples ?? []).map((example) =>
      typeof example === 'string' ? { command: example } : example,
    );
    if (examples.length > 0) {
      lines.push('Examples:', '', '```sh');
      for (const example of examples) {
        if (example.description) lines.push(`# ${example.description}`);
        lines.push(example.command.replace('<%= config.bin %>', 'dcos'));
      }
      lines.push('```', '');
    }
  }
  lines.push('## Connection flags (every command)', '', '| Flag | Meaning |', '|---|---|');
  for (const [name, flag] of Object.entries(shared).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(flagRow(name, flag));
  return `${lines.join('\n').trimEnd()}\n`;
}

module.exports = { render, OUT };

if (require.main === module) {
  fs.writeFileSync(OUT, render());
  console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
}
