// npm start: build, package, provision, and open examples/ in a real VS Code with the extension.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ProvisionError, root, startHost } from './host.mjs';

execFileSync(process.execPath, [join(root, 'scripts/package.mjs')], { stdio: 'inherit' });
let host;
try {
  host = await startHost({ folder: join(root, 'examples'), log: (s) => process.env.FTSTUDIO_HOST_LOG && process.stderr.write(s) });
} catch (e) {
  if (!(e instanceof ProvisionError)) throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(1);
}
console.log(
  `\nFinetune Studio is running in VS Code at\n\n  ${host.url}\n\nOpen it in a browser (on this machine, or through an SSH tunnel to port ${host.port}). Ctrl+C stops it.`,
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping VS Code…');
  await host.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
