/**
 * The project on disk: its root (where finetune.json is) and the .finetune/ folder the tool writes,
 * meant to be committed: reviews/, annotations/, splits/, runs/<id>/. Every path into it comes from here.
 */
import { basename, dirname, join } from 'node:path';
import { findConfig } from './projectConfig';

export const FINETUNE_DIR = '.finetune';

/** The project root of a command run in `dir`: the folder of finetune.json (in dir or above), else dir. */
export function projectRoot(dir: string): string {
  const cfg = findConfig(dir);
  return cfg ? dirname(cfg) : dir;
}

/** A dataset's name in .finetune/: its file name without .jsonl. */
export function datasetName(datasetPath: string): string {
  return basename(datasetPath).replace(/\.jsonl$/i, '');
}

export const finetunePaths = (root: string) => ({
  reviews: join(root, FINETUNE_DIR, 'reviews'),
  annotations: join(root, FINETUNE_DIR, 'annotations'),
  splits: join(root, FINETUNE_DIR, 'splits'),
  runs: join(root, FINETUNE_DIR, 'runs'),
});
