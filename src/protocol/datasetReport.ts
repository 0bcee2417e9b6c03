/** Typed messages between the extension and the Dataset Report panel. Imported by both sides. */
import type { PanelMessages } from './channel';

export const DATASET_REPORT_VIEW_TYPE = 'finetuneStudio.datasetReport';

export interface ReportSummary {
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface ReportHistogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly trainedShare?: readonly number[];
}

/** What the panel shows of core's DatasetStats (src/core/insight/stats.ts, which is checked to fit this shape). Lines 1-based. */
export interface ReportStats {
  readonly file: string;
  readonly records: number;
  readonly skippedLines: number;
  readonly format: string | null;
  readonly tokens: {
    readonly source: 'tokenizer' | 'estimate';
    readonly description: string;
    readonly total: ReportSummary;
    readonly trained: ReportSummary;
    readonly prompt: ReportSummary;
    readonly completion: ReportSummary;
    readonly trainedShare: number;
    readonly histograms: { readonly prompt: ReportHistogram; readonly completion: ReportHistogram; readonly total: ReportHistogram };
  };
  readonly maxSeqLength: number;
  readonly overLength: number;
  readonly overLengthLines: readonly number[];
  readonly turns: ReportSummary & { readonly histogram: ReportHistogram };
  readonly roles: Readonly<Record<string, number>>;
  readonly templates: readonly { readonly template: string; readonly system: boolean; readonly count: number }[];
  readonly duplicates: { readonly repeats: number; readonly groups: readonly (readonly number[])[] };
  readonly nearDuplicates: { readonly threshold: number; readonly records: number; readonly clusters: readonly (readonly number[])[] };
  readonly semantic:
    | { readonly enabled: false; readonly message: string }
    | {
        readonly enabled: true;
        readonly description: string;
        readonly threshold: number;
        /** semantic near-duplicate clusters: 1-based lines of this file */
        readonly clusters: readonly (readonly number[])[];
        readonly skipped?: string;
        /** held-out records whose nearest training record is at cosine ≥ threshold; this file is one of the two */
        readonly leakage: {
          readonly heldout: string;
          readonly train: string;
          readonly leaks: readonly { readonly heldoutLine: number; readonly trainLine: number; readonly cosine: number }[];
          readonly skipped?: string;
        } | null;
      };
  readonly goal: {
    readonly standing: 'below' | 'within' | 'above';
    readonly min: number;
    readonly max: number;
    readonly records: number;
    readonly message: string;
  } | null;
  readonly production: {
    readonly file: string;
    readonly records: number;
    readonly promptLength: { readonly ks: number; readonly trainP50: number; readonly productionP50: number };
    readonly vocabulary: { readonly unseenShare: number; readonly examples: readonly string[] };
    readonly templates: { readonly distance: number };
    readonly thresholds: { readonly ks: number; readonly unseenVocabulary: number; readonly templateMix: number };
    readonly warnings: readonly string[];
  } | null;
}

export type ToDatasetReport =
  | { readonly type: 'progress'; readonly file: string; readonly message: string }
  | { readonly type: 'report'; readonly path: string; readonly stats: ReportStats }
  | { readonly type: 'error'; readonly file: string; readonly message: string };

/** `open`: a line of the report's file, or with `partner` of the held-out or training file the semantic leakage names. */
export type FromDatasetReport =
  { readonly type: 'ready' } | { readonly type: 'open'; readonly line: number; readonly partner?: boolean } | { readonly type: 'refresh' };

export interface DatasetReportState {
  readonly path: string;
}

export type DatasetReportMessages = PanelMessages<ToDatasetReport, FromDatasetReport, DatasetReportState>;
