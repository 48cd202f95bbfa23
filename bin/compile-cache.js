/**
 * Loads the bundled plugin with V8's code cache (Node 20 has no module.enableCompileCache):
 * compiling the 1.3 MB bundle and the functions a command runs costs more than half of
 * `--help`'s start-up (0.20 s without, 0.11 s with; `npm run bench:startup`).
 *
 * One cache file per command (`janitor cleanup`, `janitor plan show`...), written after the
 * first run of that command, so that it holds the functions that command compiled. V8
 * checks the cache against its own version and flags, but of the source only its length:
 * the file name carries a hash of the bundle, so a rebuilt bundle never runs stale code.
 * The cache sits beside the bundle (the same trust as the bundle itself); when that folder
 * is not writable, nothing is cached and nothing is said.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

function loadWithCompileCache(file, argv) {
  const source = fs.readFileSync(file, 'utf8');
  const digest = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
  const command = commandKey(argv);
  const dir = path.dirname(file);
  const cacheFile = path.join(dir, `.v8-cache-${command}-${digest}`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  // A real module in require's cache: oclif requires the same file for its commands, and gets this one.
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(dir);
  require.cache[file] = loaded;
  script.runInThisContext().call(loaded.exports, loaded.exports, Module.createRequire(file), loaded, file, dir);
  loaded.loaded = true;
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => writeCache(script, cacheFile, command, dir));
  }
  return loaded.exports;
}

/** "janitor-cleanup", "janitor-plan-show": the command's words, never its arguments (a cache per service name would grow without end). */
function commandKey(argv) {
  const words = [];
  for (const arg of argv) {
    if (!/^[a-z][a-z-]*$/.test(arg)) break;
    words.push(arg);
    // `janitor <command>`, or `janitor plan <command>` (the one topic).
    if (words.length === 3 || (words.length === 2 && arg !== 'plan')) break;
  }
  return words.join('-') || 'none';
}

/** Written whole (a temporary file, then a rename), so that a run beside it never reads half a cache. */
function writeCache(script, cacheFile, command, dir) {
  try {
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
    // The same command's caches of older bundles are of no more use.
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(`.v8-cache-${command}-`) && path.join(dir, name) !== cacheFile && !name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // Read-only install, full disk: run without a cache.
  }
}

module.exports = { loadWithCompileCache };
