/** Why a reviewed record failed. Pure data: imported by the store, the CLI and the review webview. */
export const REASONS = ['wrong', 'low-quality', 'off-format', 'unsafe', 'pii', 'other'] as const;
export type Reason = (typeof REASONS)[number];
