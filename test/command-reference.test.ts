import * as fs from 'node:fs';

/** docs/commands.md is made from the commands' own metadata: it cannot drift from --help. */

const { render, OUT } = require('../scripts/command-reference.js') as { render: () => string; OUT: string };

it("docs/commands.md is what the commands say (run 'node scripts/command-reference.js' after changing a command)", () => {
  expect(fs.readFileSync(OUT, 'utf8')).toBe(render());
});
