/**
 * The managed training environment: a virtual environment with the bundled trainer's runtime packages
 * (trainer/requirements.txt), made in one step by `ftstudio setup` and "Set Up Training Environment".
 * Idempotent: a stamp records the requirements it was installed from; with an unchanged file a second run
 * only checks the imports (seconds). Programs run without a shell, in their own process group, and stop
 * on cancel.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TrainingProcess } from '../training/launcher';

/** What the bundled trainer imports: checked after every install, reported with their versions. */
export const TRAINER_PACKAGES = ['torch', 'transformers', 'peft', 'accelerate'] as const;
export const MIN_PYTHON: readonly [number, number] = [3, 10];
const STAMP = '.ftstudio-setup.json';

export interface SetupProgress {
  readonly phase: 'interpreter' | 'venv' | 'install' | 'verify';
  readonly message: string;
  /** a rough share of the work done, 0–1, never decreasing */
  readonly fraction: number;
}

export interface SetupOptions {
  /** the virtual environment's folder (made when missing) */
  readonly dir: string;
  /** the interpreter the environment is made from, when it does not exist yet */
  readonly basePython: string;
  readonly requirements: string;
  readonly onProgress?: (p: SetupProgress) => void;
  /** every line pip and the interpreter print (for a log) */
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface SetupResult {
  readonly python: string;
  readonly packages: Readonly<Record<string, string>>;
  /** false: the environment was already set up from these requirements (only the imports were checked) */
  readonly installed: boolean;
}

export type SetupErrorKind = 'usage' | 'busy' | 'interpreter' | 'venv' | 'install' | 'import' | 'cancelled';

export class SetupError extends Error {
  constructor(
    readonly kind: SetupErrorKind,
    message: string,
    /** the package the failure is about, when one can be named */
    readonly pkg?: string,
    /** pip's own error line */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** `ftstudio setup`'s default folder: ~/.cache/finetune-studio/venv (XDG_CACHE_HOME respected). */
export function defaultEnvironmentDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'finetune-studio', 'venv');
}

export function venvPython(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
}

/** The environment's interpreter when a setup has completed there, else undefined. */
export function readyPython(dir: string): string | undefined {
  const py = venvPython(dir);
  return existsSync(join(dir, STAMP)) && existsSync(py) ? py : undefined;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The environment programs run in: a PYTHONPATH, PYTHONHOME or active virtualenv from outside would leak in. */
function childEnv(): NodeJS.ProcessEnv {
  const { PYTHONPATH: _a, PYTHONHOME: _b, VIRTUAL_ENV: _c, ...env } = process.env;
  return { ...env, PYTHONUNBUFFERED: '1', PIP_NO_INPUT: '1' };
}

interface Ran {
  readonly code: number | null;
  readonly lines: string[];
  readonly spawnError?: string;
}

function runLines(argv: readonly string[], o: Pick<SetupOptions, 'onLine' | 'signal'>, onLine?: (line: string) => void): Promise<Ran> {
  if (o.signal?.aborted) return Promise.reject(new SetupError('cancelled', 'cancelled'));
  const lines: string[] = [];
  let spawnError: string | undefined;
  const p = new TrainingProcess(argv, {
    cwd: homedir(),
    env: childEnv(),
    sigintMs: 2_000,
    sigtermMs: 2_000,
    onLine: (line) => {
      if (line.startsWith(`failed to start ${argv[0]}: `)) spawnError = line;
      lines.push(line);
      o.onLine?.(line);
      onLine?.(line);
    },
  });
  const abort = () => void p.cancel();
  o.signal?.addEventListener('abort', abort, { once: true });
  return p.exited.then((x) => {
    o.signal?.removeEventListener('abort', abort);
    if (x.cancelled || o.signal?.aborted) throw new SetupError('cancelled', 'cancelled');
    return { code: x.code, lines, spawnError };
  });
}

const NAME_ONE = 'ftstudio setup --python PY, or the setting finetuneStudio.training.basePython';
const VERSION_SCRIPT = 'import sys; print("%d.%d.%d" % sys.version_info[:3])';

async function checkBase(o: SetupOptions): Promise<void> {
  o.onProgress?.({ phase: 'interpreter', message: `checking ${o.basePython}`, fraction: 0.01 });
  const r = await runLines([o.basePython, '-c', VERSION_SCRIPT], o);
  const version =
    r.code === 0
      ? r.lines
          .map((l) => l.trim())
          .filter((l) => /^\d+\.\d+\.\d+$/.test(l))
          .pop()
      : undefined;
  if (!version) {
    const why = r.spawnError ? 'not found' : `did not run (${r.lines.filter((l) => l.trim()).pop() ?? `exit ${r.code}`})`;
    throw new SetupError(
      'interpreter',
      `the Python interpreter ${o.basePython} ${why}: install Python ${MIN_PYTHON.join('.')} or newer, or name another one (${NAME_ONE})`,
    );
  }
  const [maj, min] = version.split('.').map(Number) as [number, number];
  if (maj < MIN_PYTHON[0] || (maj === MIN_PYTHON[0] && min < MIN_PYTHON[1])) {
    throw new SetupError(
      'interpreter',
      `${o.basePython} is Python ${version}: the trainer's packages need Python ${MIN_PYTHON.join('.')} or newer; name a newer one (${NAME_ONE})`,
    );
  }
}

async function makeVenv(o: SetupOptions): Promise<void> {
  o.onProgress?.({ phase: 'venv', message: `creating the virtual environment in ${o.dir}`, fraction: 0.03 });
  const fresh = !existsSync(o.dir) || readdirSync(o.dir).length === 0;
  const r = await runLines([o.basePython, '-m', 'venv', o.dir], o).catch((e) => {
    if (fresh) rmSync(o.dir, { recursive: true, force: true });
    throw e;
  });
  if (r.code === 0 && existsSync(venvPython(o.dir))) return;
  // a half-made environment (Debian without python3-venv leaves one without pip) would be taken for a made one
  if (fresh) rmSync(o.dir, { recursive: true, force: true });
  const text = r.lines.join('\n');
  const last = r.lines.filter((l) => l.trim()).pop() ?? `exit ${r.code}`;
  if (/ensurepip|venv/.test(text) && /not\s+available|No module named/.test(text)) {
    throw new SetupError(
      'venv',
      `${o.basePython} -m venv failed: ${last.trim()}; install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv), then run again`,
    );
  }
  throw new SetupError('venv', `${o.basePython} -m venv ${o.dir} failed: ${last.trim()}`);
}

const NAME = '([A-Za-z0-9][A-Za-z0-9._-]*)';

/** The package a pip failure is about, and pip's error line. */
export function pipFailure(lines: readonly string[]): { pkg?: string; line: string } {
  const errors = lines.map((l) => l.trim()).filter((l) => l.startsWith('ERROR:'));
  const line =
    errors[0] ??
    lines
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ??
    'pip printed nothing';
  for (const e of [line, ...errors.slice(1)]) {
    const m =
      new RegExp(`requirement ${NAME}`, 'i').exec(e) ??
      new RegExp(`distribution found for ${NAME}`, 'i').exec(e) ??
      new RegExp(`(?:wheel|build) for ${NAME}`, 'i').exec(e) ??
      new RegExp(`Cannot install ${NAME}`).exec(e) ??
      new RegExp(`^ERROR: Failed to build installable wheels for some pyproject\\.toml based projects \\(${NAME}`).exec(e);
    if (m) return { pkg: m[1], line };
  }
  // otherwise the package pip was working on last (none once it installs them all at once)
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('Installing collected packages:')) break;
    const m = new RegExp(`^\\s*(?:Collecting|Processing|Downloading|Building wheel for)\\s+(?:\\S*/)?${NAME}`).exec(lines[i]!);
    if (m) return { pkg: m[1]!.split(/-\d/)[0], line };
  }
  return { line };
}

async function pipInstall(o: SetupOptions, python: string): Promise<void> {
  let found = 0;
  // resolving and fetching up to 50%, unpacking (torch: most of the time) up to 90%
  let fraction = 0.1;
  const say = (message: string, f: number) => o.onProgress?.({ phase: 'install', message, fraction: (fraction = Math.max(fraction, f)) });
  say(`installing ${o.requirements}`, 0.1);
  const r = await runLines(
    [python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', '-r', o.requirements],
    o,
    (line) => {
      let m: RegExpExecArray | null;
      if ((m = /^(?:Collecting|Requirement already satisfied:)\s+(\S+)/.exec(line))) {
        found++;
        say(`resolving: ${m[1]} (${found} packages so far)`, Math.min(0.5, 0.1 + found * 0.012));
      } else if ((m = /^\s*(?:Downloading|Processing)\s+(\S+)/.exec(line))) {
        say(`fetching ${m[1]!.split('/').pop()}`, fraction);
      } else if ((m = /^Installing collected packages: (.*)$/.exec(line))) {
        const names = m[1]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        say(`installing ${names.length} packages (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}); torch takes a while`, 0.55);
      }
    },
  );
  if (r.code === 0) return;
  const f = pipFailure(r.lines);
  throw new SetupError('install', `pip could not install ${f.pkg ?? `the requirements of ${o.requirements}`}: ${f.line}`, f.pkg, f.line);
}

/** Imports each trainer package in turn; the last line is {"packages": {...}} or {"failed": {...}}. */
const VERIFY_SCRIPT = `import importlib, json, traceback
out = {}
for name in ${JSON.stringify(TRAINER_PACKAGES)}:
    try:
        mod = importlib.import_module(name)
        out[name] = str(getattr(mod, "__version__", "unknown"))
    except BaseException as e:
        line = traceback.format_exception_only(type(e), e)[-1].strip()
        print(json.dumps({"failed": {"package": name, "error": line}, "packages": out}))
        raise SystemExit(1)
print(json.dumps({"packages": out}))`;

async function verify(o: SetupOptions, python: string): Promise<Record<string, string>> {
  o.onProgress?.({ phase: 'verify', message: `checking the imports: ${TRAINER_PACKAGES.join(', ')}`, fraction: 0.9 });
  const r = await runLines([python, '-c', VERIFY_SCRIPT], o);
  let parsed: { packages?: Record<string, string>; failed?: { package: string; error: string } } | undefined;
  for (let i = r.lines.length - 1; i >= 0 && !parsed; i--) {
    try {
      const v = JSON.parse(r.lines[i]!);
      if (v && typeof v === 'object' && ('packages' in v || 'failed' in v)) parsed = v;
    } catch {
      /* not the result line */
    }
  }
  if (parsed?.failed)
    throw new SetupError('import', `${parsed.failed.package} does not import in ${python}: ${parsed.failed.error}`, parsed.failed.package, parsed.failed.error);
  if (r.code !== 0 || !parsed?.packages) {
    throw new SetupError('import', `the import check did not run in ${python}: ${r.spawnError ?? r.lines.filter((l) => l.trim()).pop() ?? `exit ${r.code}`}`);
  }
  return parsed.packages;
}

function checkFolder(dir: string): void {
  if (!isAbsolute(dir)) throw new SetupError('usage', `the environment folder must be an absolute path, got ${dir}`);
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new SetupError('usage', `${dir} is a file, not a folder: choose another folder for the environment`);
  if (!existsSync(join(dir, 'pyvenv.cfg')) && readdirSync(dir).length > 0) {
    throw new SetupError('usage', `${dir} is not empty and is not a virtual environment (no pyvenv.cfg): choose a new or empty folder`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One setup at a time per folder (two pips in one environment break it): DIR.lock holds the owner's pid. */
function lock(dir: string): () => void {
  const path = `${dir}.lock`;
  mkdirSync(dirname(dir), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && alive(owner)) {
        throw new SetupError('busy', `another setup is running in ${dir} (process ${owner}): wait for it to finish, then run again`);
      }
      rmSync(path, { force: true }); // left by a setup that was killed
    }
  }
}

/**
 * Create (when missing) the virtual environment in `dir`, install the requirements (unless it was already
 * set up from the same file), and check that the trainer's packages import.
 */
export async function setupEnvironment(o: SetupOptions): Promise<SetupResult> {
  const dir = resolve(o.dir);
  checkFolder(dir);
  if (!existsSync(o.requirements)) throw new SetupError('usage', `the requirements file ${o.requirements} is missing: reinstall Finetune Studio`);
  const unlock = lock(dir);
  try {
    return await setUp({ ...o, dir });
  } finally {
    unlock();
  }
}

async function setUp(o: SetupOptions): Promise<SetupResult> {
  const dir = o.dir;
  const python = venvPython(dir);
  const want = sha256(o.requirements);
  const stampPath = join(dir, STAMP);
  let stamp: { requirements?: string } = {};
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    /* none yet, or torn: set up again */
  }
  if (existsSync(python) && stamp.requirements === want) {
    try {
      return { python, packages: await verify(o, python), installed: false };
    } catch (e) {
      if (!(e instanceof SetupError) || e.kind !== 'import') throw e;
      o.onLine?.(`${e.message}: installing again`);
    }
  }
  rmSync(stampPath, { force: true });
  if (!existsSync(python)) {
    await checkBase(o);
    await makeVenv(o);
  }
  await pipInstall(o, python);
  const packages = await verify(o, python);
  writeFileSync(stampPath, JSON.stringify({ requirements: want, packages, at: new Date().toISOString() }) + '\n');
  return { python, packages, installed: true };
}
