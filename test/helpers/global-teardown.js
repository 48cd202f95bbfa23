const fs = require('node:fs');

module.exports = async () => {
  if (process.env.JANITOR_TEST_SCRATCH) fs.rmSync(process.env.JANITOR_TEST_SCRATCH, { recursive: true, force: true });
};
