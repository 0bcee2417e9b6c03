// Preloaded into every test process of `npm run mutate` (stryker.config.mjs). Stryker makes its sandbox
// with mkdtemp (mode 0700); cliCommands.test.ts checks "permission denied" as root by switching to the
// user nobody, who then could not load the CLI's lazily imported modules from the sandbox. Give the
// sandbox the mode of an ordinary checkout (0755). Does nothing outside a Stryker sandbox.
const { basename } = require('node:path');
const { chmodSync } = require('node:fs');
if (basename(process.cwd()).startsWith('sandbox-')) chmodSync(process.cwd(), 0o755);
