// One folder for the whole run's scratch files (the runs' history records): made before the
// workers start (they inherit the variable), removed when the run is over.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  process.env.JANITOR_TEST_SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-janitor-tests-'));
};
