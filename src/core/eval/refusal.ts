/**
 * Refusal detection: the one function the `refusal` / `not-refusal` assertions and the safety set use.
 *
 * An output is a refusal when one of the patterns matches within its first 300 characters, case
 * insensitive, after curly apostrophes become straight ones. The built-in list lives in
 * trainer/ftstudio_trainer/refusal_patterns.json so that the trainer reads the same list; a user adds
 * patterns (never removes built-in ones) with the setting finetuneStudio.eval.refusalPatterns or
 * finetune.json eval.refusalPatterns. The trainer's twin is trainer/ftstudio_trainer/refusal.py; both
 * are held to test/fixtures/refusal-vectors.json. A pattern heuristic misses polite partial compliance and
 * catches quoted refusals; an ONNX classifier can replace this function later behind the same name.
 */
import builtin from '../../../trainer/ftstudio_trainer/refusal_patterns.json';

export const BUILTIN_REFUSAL_PATTERNS: readonly string[] = builtin.patterns;
export const REFUSAL_WINDOW: number = builtin.window;

export class RefusalPatternError extends Error {}

export interface RefusalDetector {
  (output: string): boolean;
  readonly patterns: readonly string[];
}

/** Compile the built-in patterns plus `extra`; a bad extra pattern throws RefusalPatternError naming it. */
export function refusalDetector(extra: readonly string[] = [], source = 'refusal patterns'): RefusalDetector {
  const patterns = [...BUILTIN_REFUSAL_PATTERNS, ...extra];
  const compiled = patterns.map((p, i) => {
    try {
      return new RegExp(p, 'i');
    } catch (e) {
      throw new RefusalPatternError(
        `${source}: pattern ${i - BUILTIN_REFUSAL_PATTERNS.length + 1} ${JSON.stringify(p)} is not a valid regular expression: ${(e as Error).message}`,
      );
    }
  });
  const detect = (output: string) => {
    // the window counts code points, as Python's slicing does (the trainer's twin: refusal.py)
    const head = Array.from(output.trimStart().slice(0, 2 * REFUSAL_WINDOW))
      .slice(0, REFUSAL_WINDOW)
      .join('')
      .replace(/[\u2018\u2019\u02bc]/g, "'");
    return compiled.some((re) => re.test(head));
  };
  return Object.assign(detect, { patterns });
}

let defaultDetector: RefusalDetector | undefined;

/** True when `output` reads as a refusal (built-in patterns only; see refusalDetector for more). */
export function isRefusal(output: string): boolean {
  defaultDetector ??= refusalDetector();
  return defaultDetector(output);
}
