/**
 * "Set Up Training Environment" and the trainer's interpreter, in the editor: glue over
 * core/python (setupEnvironment, resolveInterpreter). The managed environment lives in the extension's
 * global storage; one made by `ftstudio setup` in ~/.cache/finetune-studio/venv is used too.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { defaultEnvironmentDir, setupEnvironment, SetupError } from '../../core/python/environment';
import { basePython, trainerPython } from '../workspace/config';
import { resolveInterpreter, type ResolvedInterpreter } from '../../core/python/interpreter';

export const SETUP_COMMAND = 'finetuneStudio.setupTrainingEnvironment';
export const SETUP_TITLE = 'Set Up Training Environment';

function managedDirs(storage: vscode.Uri): string[] {
  return [join(storage.fsPath, 'venv'), defaultEnvironmentDir()];
}

/** The interpreter the Python extension (ms-python.python) has selected for the folder, if any. */
async function pythonExtensionSelection(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  const py = vscode.extensions.getExtension('ms-python.python');
  if (!py) return undefined;
  const api = py.isActive ? py.exports : await py.activate();
  const env = api?.environments?.getActiveEnvironmentPath?.(folder.uri);
  return typeof env?.path === 'string' && env.path ? env.path : undefined;
}

/** The trainer's interpreter for a folder whose finetune.json says `configPython` (see core/python/interpreter). */
export function trainerInterpreter(storage: vscode.Uri, folder: vscode.WorkspaceFolder, configPython: string | undefined): Promise<ResolvedInterpreter> {
  return resolveInterpreter({
    configPython,
    configDir: folder.uri.fsPath,
    userSetting: trainerPython(),
    selected: () => pythonExtensionSelection(folder),
    managedDirs: managedDirs(storage),
  });
}

export class PythonEnvironment implements vscode.Disposable {
  private readonly log = vscode.window.createOutputChannel('Finetune Studio: Setup', { log: true });
  private running?: Promise<string | undefined>;
  private readonly stopped = new AbortController();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly storage: vscode.Uri,
  ) {}

  /** Runs the setup (once at a time) with a progress notification; the environment's python, or undefined. */
  setUp(): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window
        .showWarningMessage('Finetune Studio: setting up the training environment runs Python and pip: trust this workspace first.', 'Manage Workspace Trust')
        .then((c) => {
          if (c) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      return Promise.resolve(undefined);
    }
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private run(): Promise<string | undefined> {
    const dir = managedDirs(this.storage)[0]!;
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Finetune Studio: ${SETUP_TITLE}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          this.stopped.signal.addEventListener('abort', () => abort.abort(), { once: true });
          let done = 0;
          this.log.info(`setting up ${dir}`);
          try {
            const r = await setupEnvironment({
              dir,
              basePython: basePython(),
              requirements: join(this.extensionUri.fsPath, 'trainer', 'requirements.txt'),
              signal: abort.signal,
              onLine: (line) => this.log.info(line),
              onProgress: (p) => {
                progress.report({ message: p.message, increment: Math.max(0, p.fraction * 100 - done) });
                done = Math.max(done, p.fraction * 100);
              },
            });
            const list = Object.entries(r.packages)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ');
            this.log.info(`ready: ${r.python} (${list})`);
            void vscode.window.showInformationMessage(
              `Finetune Studio: the training environment is ready${r.installed ? '' : ' (nothing to install)'}: ${list}. Start Fine-tune uses ${r.python} unless finetune.json names a "python" or the Python extension has an interpreter selected.`,
            );
            return r.python;
          } catch (e) {
            if (!(e instanceof SetupError)) throw e;
            this.log.error(e.message);
            if (e.kind === 'cancelled') {
              void vscode.window.showInformationMessage('Finetune Studio: setup stopped. Run it again to finish; what is installed stays.');
            } else {
              void vscode.window
                .showErrorMessage(`Finetune Studio: setting up the training environment failed: ${e.message}`, 'Show Log')
                .then((c) => c && this.log.show());
            }
            return undefined;
          }
        },
      ),
    );
  }

  dispose(): void {
    this.stopped.abort();
    this.log.dispose();
  }
}
