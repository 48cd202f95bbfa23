/**
 * One file with every command and dependency (esbuild): what the zip ships as
 * lib/dcos-janitor.js and what bin/dcos-janitor runs in a checkout (dist/dcos-janitor.js).
 * Loading one file instead of hundreds of modules is most of the start-up time.
 */
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..', '..');

async function bundle(outfile) {
  await esbuild.build({
    entryPoints: [path.join(root, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // DEBUG_BUNDLE=1 node scripts/bundle.js: readable names in a --cpu-prof profile.
    minify: !process.env.DEBUG_BUNDLE,
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'warning',
    // oclif reads a tsconfig only in development, with a guarded require: never ship the compiler.
    external: ['typescript'],
  });
}

module.exports = { bundle };
