/** Typed messages between the extension and the Dataset Report panel. Imported by both sides. */
import type { PanelMessages } from './channel';

export const DATASET_REPORT_VIEW_TYPE = 'finetuneStudio.datasetReport';

/** Percentiles by nearest rank, and the mean to one decimal. */
export interface ReportSummary {
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface ReportHistogram {
  /** bin i covers [edges[i], edges[i + 1]) (the last bin includes its top) */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** for total tokens: the trained share of the tokens in each bin */
  readonly trainedShare?: readonly number[];
}

export interface SemanticLeak {
  /** 1-based line in the held-out file */
  readonly heldoutLine: number;
  /** 1-based line of its nearest training record */
  readonly trainLine: number;
  readonly cosine: number;
}

export interface SemanticLeakage {
  /** absolute paths; the report's file is one of the two */
  readonly heldout: string;
  readonly train: string;
  readonly leaks: readonly SemanticLeak[];
  /** why leakage was not compared (too many pairs, a .json array partner) */
  readonly skipped?: string;
}

/** The semantic checks' part of the report (core: insight/semantic.ts). */
export type SemanticSection =
  | { readonly enabled: false; readonly message: string }
  | {
      readonly enabled: true;
      readonly description: string;
      readonly threshold: number;
      /** 1-based lines, each cluster ascending, ordered by first line */
      readonly clusters: readonly (readonly number[])[];
      /** why the within-file comparison was skipped */
      readonly skipped?: string;
      readonly leakage: SemanticLeakage | null;
    };

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
  readonly semantic: SemanticSection;
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
