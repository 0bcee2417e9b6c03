/** A .json dataset is a JSON array of records (LLaMA-Factory's native files); .jsonl has one per line. */
export const isJsonArrayPath = (path: string): boolean => /\.json$/i.test(path);
