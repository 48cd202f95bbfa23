// Installs dist/dcos-janitor.zip the way `dcos plugin add` does: unzipped (modes kept)
// into <DCOS_DIR>/clusters/<cluster-id>/subcommands/dcos-janitor/env/.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function installPlugin(zipPath, dcosDir, clusterId = 'sim-cluster') {
  const env = path.join(dcosDir, 'clusters', clusterId, 'subcommands', 'dcos-janitor', 'env');
  fs.mkdirSync(env, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zipPath, '-d', env]);
  return env;
}

module.exports = { installPlugin };
