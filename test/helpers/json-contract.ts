import * as fs from 'node:fs';
import * as path from 'node:path';

import Ajv from 'ajv';

/**
 * Every --json document the suite sees is checked against the schema published under
 * docs/json/ for its command: the contract CI jobs rely on cannot drift from what is printed.
 */

const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'docs', 'json');
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

function validatorFor(name: string): ReturnType<typeof ajv.compile> {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')));
    validators.set(name, validate);
  }
  return validate;
}

/** The schema a command line's --json output follows, or undefined when it prints no result document. */
export function schemaOf(args: string[]): string | undefined {
  if (!args.includes('--json') || args.includes('--print-job') || args.includes('--print-app')) return undefined;
  const command = args.find((word) => !word.startsWith('-'));
  return command &&
    ['cleanup', 'teardown', 'uninstall', 'audit', 'plan', 'services', 'apply', 'history'].includes(command)
    ? command
    : undefined;
}

/** The documents on stdout (`plan show --watch --json` prints one per change). */
export function documentsOf(stdout: string): unknown[] {
  return stdout
    .split(/\n(?=\{\n)/)
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => JSON.parse(text) as unknown);
}

/** Throws with the schema's complaints when a document does not follow it. */
export function assertFollowsSchema(name: string, document: unknown): void {
  const validate = validatorFor(name);
  if (validate(document)) return;
  const problems = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath || '(document)'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
    );
  throw new Error(`--json output does not follow docs/json/${name}.schema.json: ${problems.join('; ')}`);
}
