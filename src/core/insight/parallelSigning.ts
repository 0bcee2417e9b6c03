/**
 * MinHash signing of a stream of texts on worker threads (signWorker.ts), into one SignatureSet in
 * the order the texts came. The caller adds texts as it reads them (add() never waits) and awaits
 * done() for the set.
 *
 * Texts go out in batches; signatures come back as transferred Uint16Arrays and land at their
 * reserved places. Memory stays bounded: at most MAX_IN_FLIGHT batches a worker are out at a time,
 * and a batch that finds every worker that busy is signed on this thread instead (the reader never
 * runs ahead of the signers). A small input never starts a worker: its first `inlineFirst` texts are
 * signed here. Aborting the signal terminates the workers and done() rejects; a worker that fails is
 * replaced by signing here (the signatures are the same wherever they are computed). Idle workers do
 * not keep the process alive, and stop after IDLE_MS without work.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/startWorker';
import { forEachLineBatch } from '../jsonl/readLines';
import { contentHash } from '../records/identity';
import { recordShingleText, SignatureSet } from './nearDuplicates';
import { parseRecord } from './recordText';

/** main -> worker */
export interface SignBatch {
  readonly id: number;
  readonly texts: readonly string[];
}

/** worker -> main: PERMUTATIONS values a text, and whether it has a signature (a text without words has none) */
export interface SignedBatch {
  readonly id: number;
  readonly sigs: Uint16Array;
  readonly has: Uint8Array;
}

export interface SigningOptions {
  /** worker threads; 0 signs on the calling thread (default: defaultSigningWorkers()) */
  readonly workers?: number;
  /** texts signed on the calling thread before a worker is started (default SIGNING_INLINE_FIRST) */
  readonly inlineFirst?: number;
  /** texts a message (default SIGNING_BATCH) */
  readonly batch?: number;
  readonly signal?: AbortSignal;
}

export const SIGNING_BATCH = 256;
/** below this many records starting workers costs more than it saves */
export const SIGNING_INLINE_FIRST = 2_000;
const MAX_IN_FLIGHT = 4;
const IDLE_MS = 2_000;

/**
 * Workers for `cores` cores at a 1-minute load average of `load`: one a spare core beside the calling
 * thread (which reads and parses), at most two — 1 on an idle 2-core machine, none when the cores are
 * already busy (measured on a loaded 2-core machine: a worker then costs wall time and CPU, it gains none).
 */
export function signingWorkersFor(cores: number, load: number): number {
  return Math.max(0, Math.min(2, cores - 1, Math.floor(cores - load)));
}

/** FTSTUDIO_SIGNING_WORKERS when set (0: sign on the calling thread; the bench compares), else signingWorkersFor this machine now. */
export function defaultSigningWorkers(): number {
  const env = process.env.FTSTUDIO_SIGNING_WORKERS;
  if (env && /^\d+$/.test(env)) return Math.min(Number(env), 16);
  return signingWorkersFor(availableParallelism(), loadavg()[0]!);
}

interface Helper {
  readonly worker: Worker;
  busy: number;
}

interface Pending {
  readonly start: number;
  readonly texts: readonly string[];
  readonly helper: Helper;
}

export class ParallelSigner {
  readonly set = new SignatureSet();
  /** why the workers were given up (signing went on here), if they were */
  workerError?: string;
  /** batches signed on workers and here, and the most batches out at once */
  readonly counts = { onWorkers: 0, here: 0, peakInFlight: 0 };
  private workers: number;
  private readonly inlineFirst: number;
  private readonly batchSize: number;
  private readonly signal?: AbortSignal;
  private batch: string[] = [];
  private batchStart = 0;
  private helpers: Helper[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private drained?: () => void;
  private idle?: NodeJS.Timeout;
  private readonly onAbort = () => {
    this.stop();
    this.drained?.();
  };

  constructor(opts: SigningOptions = {}) {
    this.workers = Math.max(0, Math.floor(opts.workers ?? defaultSigningWorkers()));
    this.inlineFirst = opts.inlineFirst ?? SIGNING_INLINE_FIRST;
    this.batchSize = Math.max(1, opts.batch ?? SIGNING_BATCH);
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The text of the record on 0-based `line` (`len`: its line's UTF-16 length). */
  add(text: string, line: number, len = 0): void {
    const i = this.set.reserve(line, len);
    if (this.workers === 0 || i < this.inlineFirst) {
      this.set.signAt(i, text);
      return;
    }
    if (this.batch.length === 0) this.batchStart = i;
    this.batch.push(text);
    if (this.batch.length >= this.batchSize) this.flush();
  }

  /** Every text signed: the set. Rejects when the signal was aborted. */
  async done(): Promise<SignatureSet> {
    try {
      this.signal?.throwIfAborted();
      this.flush();
      if (this.pending.size) await new Promise<void>((resolve) => (this.drained = resolve));
      this.signal?.throwIfAborted();
      return this.set;
    } finally {
      this.close();
    }
  }

  /** Stop the workers without waiting (the caller gave up on the set). */
  close(): void {
    this.stop();
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private flush(): void {
    const texts = this.batch;
    if (!texts.length) return;
    this.batch = [];
    const helper = this.helperWithRoom();
    if (!helper) {
      this.signHere(this.batchStart, texts);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, { start: this.batchStart, texts, helper });
    this.counts.peakInFlight = Math.max(this.counts.peakInFlight, this.pending.size);
    if (helper.busy++ === 0) helper.worker.ref();
    clearTimeout(this.idle);
    helper.worker.postMessage({ id, texts } satisfies SignBatch);
  }

  private signHere(start: number, texts: readonly string[]): void {
    this.counts.here++;
    for (let k = 0; k < texts.length; k++) this.set.signAt(start + k, texts[k]!);
  }

  /** The least busy worker with room for a batch (workers start on first need), or none. */
  private helperWithRoom(): Helper | undefined {
    if (this.workers === 0 || this.signal?.aborted) return undefined;
    if (this.helpers.length === 0) {
      try {
        for (let k = 0; k < this.workers; k++) this.helpers.push(this.startHelper());
      } catch (e) {
        this.giveUp(e as Error);
        return undefined;
      }
    }
    let best: Helper | undefined;
    for (const h of this.helpers) if (h.busy < MAX_IN_FLIGHT && (!best || h.busy < best.busy)) best = h;
    return best;
  }

  private startHelper(): Helper {
    const worker = startWorker(__dirname, 'signWorker', undefined);
    const helper: Helper = { worker, busy: 0 };
    worker.unref();
    worker.on('message', (m: SignedBatch) => this.received(m));
    worker.once('error', (e) => this.giveUp(e));
    worker.once('exit', (code) => {
      if (this.helpers.includes(helper)) this.giveUp(new Error(`a signing worker exited (code ${code})`));
    });
    return helper;
  }

  private received({ id, sigs, has }: SignedBatch): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.set.putSignatures(p.start, sigs, has);
    this.counts.onWorkers++;
    if (--p.helper.busy === 0) p.helper.worker.unref();
    if (this.pending.size === 0) {
      this.drained?.();
      this.idle = setTimeout(() => this.stop(), IDLE_MS);
      this.idle.unref();
    }
  }

  /** A worker failed: stop them all and sign what they held here. */
  private giveUp(e: Error): void {
    if (this.signal?.aborted) return;
    this.workerError ??= e.message;
    this.workers = 0;
    this.stop();
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const p of held) this.signHere(p.start, p.texts);
    this.drained?.();
  }

  private stop(): void {
    clearTimeout(this.idle);
    const helpers = this.helpers;
    this.helpers = [];
    for (const h of helpers) void h.worker.terminate();
  }
}

/** The signatures of a JSONL file's records, streamed; each distinct content once. */
export async function signFile(
  path: string,
  opts: { signal?: AbortSignal; workers?: number; onRecord?: (rec: Record<string, unknown>, line: number) => void } = {},
): Promise<SignatureSet> {
  const signer = new ParallelSigner({ workers: opts.workers, signal: opts.signal });
  const seen = new Set<number>();
  let line = 0;
  try {
    await forEachLineBatch(
      path,
      (batch) => {
        opts.signal?.throwIfAborted();
        for (const text of batch) {
          const rec = parseRecord(text);
          if (rec) {
            opts.onRecord?.(rec, line);
            const h = contentHash(rec);
            if (!seen.has(h)) {
              seen.add(h);
              signer.add(recordShingleText(rec), line, text.length);
            }
          }
          line++;
        }
      },
      { signal: opts.signal },
    );
  } catch (e) {
    signer.close();
    throw e;
  }
  return signer.done();
}
