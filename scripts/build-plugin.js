#!/usr/bin/env node
/*
 * Builds dist/dcos-janitor.zip, the DC/OS CLI plugin (docs/reference/dcos-cli-plugin.md §1-§3):
 *
 *   plugin.toml                  the `janitor` command and its description
 *   bin/dcos-janitor             launcher (mode 0755 in the zip): checks Node >= 20, runs the bundle
 *   lib/dcos-janitor.js          every command and dependency in one file (esbuild)
 *   lib/run.js, lib/compile-cache.js   its entry: loads the bundle with V8's code cache (bin/compile-cache.js)
 *   package.json                 oclif's settings (explicit command discovery into the bundle)
 *   completion/bash/janitor.sh   `_dcos_janitor`, completing every command, flag and service name
 *   completion/zsh/janitor.zsh   the same for zsh (through bashcompinit)
 *
 * The user needs Node.js 20+ and nothing else: no npm install at their end.
 *   npm run package
 */
const fs = require('node:fs');
const { bundle } = require('./lib/bundle');
const path = require('node:path');
const { zip } = require('./lib/zip');

const root = path.resolve(__dirname, '..');
const stage = path.join(root, 'build', 'plugin');
const output = path.join(root, 'dist', 'dcos-janitor.zip');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

async function main() {
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, 'lib'), { recursive: true });

  await bundle(path.join(stage, 'lib', 'dcos-janitor.js'));

  const pluginPackage = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    engines: pkg.engines,
    oclif: {
      ...pkg.oclif,
      commands: { strategy: 'explicit', target: './lib/dcos-janitor.js', identifier: 'COMMANDS' },
    },
  };
  write('package.json', `${JSON.stringify(pluginPackage, null, 2)}\n`);
  write('plugin.toml', fs.readFileSync(path.join(root, 'plugin.toml'), 'utf8'));
  write('bin/dcos-janitor', launcher(), 0o755);
  write('lib/compile-cache.js', fs.readFileSync(path.join(root, 'bin', 'compile-cache.js'), 'utf8'));
  write(
    'lib/run.js',
    "// The zip's entry (bin/dcos-janitor execs it): the bundle, loaded with V8's code cache.\n" +
      "require('./compile-cache').loadWithCompileCache(require('node:path').join(__dirname, 'dcos-janitor.js'), process.argv.slice(2)).main(__dirname);\n",
  );

  const { COMMANDS } = require(path.join(stage, 'lib', 'dcos-janitor.js'));
  write('completion/bash/janitor.sh', completion(COMMANDS));
  write('completion/zsh/janitor.zsh', zshCompletion());

  const files = [];
  const walk = (dir) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const relative = path.relative(stage, full).split(path.sep).join('/');
      if (fs.statSync(full).isDirectory()) {
        files.push({ name: `${relative}/`, mode: 0o755 });
        walk(full);
      } else files.push({ name: relative, data: fs.readFileSync(full), mode: fs.statSync(full).mode & 0o777 });
    }
  };
  walk(stage);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, zip(files));
  const bundleSize = fs.statSync(path.join(stage, 'lib', 'dcos-janitor.js')).size;
  console.log(
    `${path.relative(root, output)}: ${fs.statSync(output).size} bytes (${files.length} entries; bundle ${bundleSize} bytes)`,
  );
}

function write(relative, content, mode = 0o644) {
  const file = path.join(stage, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** A POSIX sh launcher: the DC/OS CLI execs it directly, with no shell (docs/reference/dcos-cli-plugin.md §3). */
function launcher() {
  return `#!/bin/sh
# dcos-janitor: DC/OS CLI plugin. The DC/OS CLI runs it as \`dcos-janitor janitor <command> ...\`
# with DCOS_URL, DCOS_ACS_TOKEN and the TLS settings in the environment.
here=$(dirname "$0")
if [ -L "$0" ]; then here=$(dirname "$(readlink -f "$0")"); fi
if ! command -v node >/dev/null 2>&1; then
  echo "dcos-janitor needs Node.js 20 or newer on PATH, and none was found: install it (https://nodejs.org) and run the command again." >&2
  exit 127
fi
version=$(node --version 2>/dev/null)
major=$(echo "$version" | sed -e 's/^v//' -e 's/\\..*//')
case "$major" in
  ''|*[!0-9]*) major=0 ;;
esac
if [ "$major" -lt 20 ]; then
  echo "dcos-janitor needs Node.js 20 or newer; the node on PATH is \${version:-unknown}: install a current Node.js and run the command again." >&2
  exit 127
fi
exec node "$here/../lib/run.js" "$@"
`;
}

/** Bash completion for every command, subcommand and flag (the DC/OS CLI sources completion/bash/*). */
function completion(commands) {
  const entries = Object.entries(commands)
    .filter(([, command]) => !command.hidden)
    .map(([id, command]) => {
      const flags = { ...(command.baseFlags ?? {}), ...(command.flags ?? {}) };
      const words = [];
      const valued = [];
      for (const [name, flag] of Object.entries(flags)) {
        // The connection flags are hidden from each command's help (shown once in the overview), not from completion.
        if (flag.hidden && flag.helpGroup !== 'CONNECTION') continue;
        words.push(`--${name}`);
        if (flag.char) words.push(`-${flag.char}`);
        if (flag.type === 'option') {
          valued.push(`--${name}`);
          if (flag.char) valued.push(`-${flag.char}`);
        }
      }
      return { path: id.split(':').slice(1).join(' '), flags: words.concat(['--help']).sort(), valued };
    });
  const children = (prefix) =>
    [
      ...new Set(
        entries
          .filter((entry) => entry.path.startsWith(prefix) && entry.path !== prefix.trim())
          .map((entry) => entry.path.slice(prefix.length).split(' ')[0]),
      ),
    ]
      .filter(Boolean)
      .sort()
      .join(' ');
  const valued = [...new Set(entries.flatMap((entry) => entry.valued))].sort();
  const cases = entries
    .filter((entry) => entry.path)
    .sort((a, b) => b.path.length - a.path.length)
    .map((entry) => `    "${entry.path}"|"${entry.path} "*) flags="${entry.flags.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for \`dcos janitor\` (generated by scripts/build-plugin.js).
# The DC/OS CLI sources this file; it calls _dcos_janitor to complete \`dcos janitor ...\`.
_dcos_janitor() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local valued=" ${valued.join(' ')} "
  local words=() i word skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$word" in
      janitor) [ \${#words[@]} -eq 0 ] && continue ;;
      --*=*) continue ;;
      -*) case "$valued" in *" $word "*) skip=1 ;; esac; continue ;;
    esac
    words+=("$word")
  done
  local path="\${words[*]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local flags="" commands=""
  case "$path" in
    "") commands="${children('')}" ;;
    "plan") commands="${children('plan ')}" ;;
    "history") commands="${children('history ')}" ;;
  esac
  case "$path" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ -n "$commands" ]; then
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
  elif [ "$prev" = "--out" ] || { [ "$path" = "apply" ] && [ \${#words[@]} -eq 1 ]; }; then
    # A plan file: the files here.
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [ "$prev" = "--service" ] || { [ \${#words[@]} -eq 1 ] && case "$path" in uninstall|cleanup|teardown) true ;; *) false ;; esac; } || { [[ "$path" == "plan "* ]] && [ \${#words[@]} -eq 2 ]; }; then
    # With or without the leading slash, as the commands take both.
    if [[ "$cur" == /* ]]; then
      COMPREPLY=($(compgen -P / -W "$(_dcos_janitor_services)" -- "\${cur#/}"))
    else
      COMPREPLY=($(compgen -W "$(_dcos_janitor_services)" -- "$cur"))
    fi
  elif [[ "$path" == "plan "* ]] && [ "\${words[1]}" != "list" ] && [ \${#words[@]} -eq 3 ]; then
    COMPREPLY=($(compgen -W "$(_dcos_janitor_quick plan list "\${words[2]}")" -- "$cur"))
  else
    COMPREPLY=()
  fi
}

# The plugin's own answers for completion, 2 s at most (never a hanging prompt: no answer
# means no names). Service names are cached for a minute per cluster by the plugin itself.
_dcos_janitor_bin="$(cd "$(dirname "\${BASH_SOURCE[0]}")/../../bin" 2>/dev/null && pwd)/dcos-janitor"
_dcos_janitor_quick() {
  [ -x "$_dcos_janitor_bin" ] || return
  if command -v timeout >/dev/null 2>&1; then
    DCOS_TIMEOUT=2 DCOS_JANITOR_RETRIES=0 timeout 2 "$_dcos_janitor_bin" janitor "$@" 2>/dev/null
  else
    DCOS_TIMEOUT=2 DCOS_JANITOR_RETRIES=0 "$_dcos_janitor_bin" janitor "$@" 2>/dev/null
  fi
}
_dcos_janitor_services() {
  _dcos_janitor_quick services
}

# Inside the DC/OS CLI's completion, the CLI calls _dcos_janitor itself. Sourced on its
# own (no completion for dcos yet), it registers for \`dcos janitor ...\` only.
_dcos_janitor_standalone() {
  if [ "\${COMP_WORDS[1]}" = "janitor" ] && [ "$COMP_CWORD" -ge 2 ]; then _dcos_janitor; else COMPREPLY=(); fi
}
if ! complete -p dcos >/dev/null 2>&1; then
  complete -o default -F _dcos_janitor_standalone dcos
fi
`;
}

/** zsh: the bash completion through zsh's bashcompinit, so both shells complete the same way. */
function zshCompletion() {
  return `# zsh completion for \`dcos janitor\`: source this file from ~/.zshrc.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
source "\${0:A:h}/../bash/janitor.sh"
`;
}

main().catch((error) => {
  console.error(`build-plugin: ${error.message}`);
  process.exit(1);
});
