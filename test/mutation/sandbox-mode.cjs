// Preloaded into every test process of `npm run mutate` (stryker.config.mjs), and so into their worker threads.
//
// 1. Stryker makes its sandbox with mkdtemp (mode 0700); cliCommands.test.ts checks "permission denied" as root
//    by switching to the user nobody, who then could not load the CLI's lazily imported modules from the
//    sandbox. Give the sandbox the mode of an ordinary checkout (0755). Does nothing outside a Stryker sandbox.
// 2. Coverage reached on worker threads (validation, statistics, signing, embedding workers). The tap runner
//    reads the coverage of the test process's main thread only, so mutants that only a worker runs showed as
//    "no coverage" and were never tested. In the dry run, each worker saves its coverage before each message it
//    posts (its results; workers are terminated, so there is no exit to wait for), and the main thread adds it
//    to its own at exit, before the runner's hook (preloaded after this file) writes it out. Mutant runs need
//    nothing: the instrumented code in a worker reads the active mutant from the environment.
const { basename, join } = require('node:path');
const { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { isMainThread, parentPort, threadId } = require('node:worker_threads');

if (isMainThread && basename(process.cwd()).startsWith('sandbox-')) chmodSync(process.cwd(), 0o755);

if (process.env.STRYKER_DRY_RUN === 'true') {
  const namespace = () => globalThis[process.env.STRYKER_NAMESPACE || '__stryker__'];
  const shared = join(tmpdir(), `stryker-worker-coverage-${process.pid}`);
  if (!isMainThread && parentPort) {
    const post = parentPort.postMessage.bind(parentPort);
    parentPort.postMessage = (...args) => {
      const coverage = namespace()?.mutantCoverage?.static;
      if (coverage) {
        mkdirSync(shared, { recursive: true });
        writeFileSync(join(shared, `${threadId}.json`), JSON.stringify(coverage));
      }
      return post(...args);
    };
  } else if (isMainThread) {
    process.on('exit', () => {
      let files;
      try {
        files = readdirSync(shared);
      } catch {
        return; // no worker saved any coverage
      }
      const ns = namespace();
      if (ns) {
        ns.mutantCoverage ??= { static: {}, perTest: {} };
        ns.mutantCoverage.static ??= {};
        const into = ns.mutantCoverage.static;
        for (const f of files) {
          const coverage = JSON.parse(readFileSync(join(shared, f), 'utf8'));
          for (const [id, n] of Object.entries(coverage)) into[id] = (into[id] ?? 0) + n;
        }
      }
      rmSync(shared, { recursive: true, force: true });
    });
  }
}
