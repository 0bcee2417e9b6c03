// The e2e suite: package the extension, provision the VS Code host, run test/e2e against it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProvisionError, provision, root } from './host.mjs';

execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
try {
  provision();
} catch (e) {
  if (!(e instanceof ProvisionError)) throw e;
  console.error(`test:e2e: ${e.message}`);
  process.exit(1);
}
rmSync(join(root, 'test-output/e2e'), { recursive: true, force: true });
const files = readdirSync(join(root, 'test/e2e'))
  .filter((f) => f.endsWith('.e2e.test.ts'))
  .map((f) => join('test/e2e', f));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
console.log(`e2e screenshots: ${join(root, 'test-output/e2e')}`);
process.exit(r.status ?? 1);
