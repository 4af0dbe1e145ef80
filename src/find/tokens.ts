/**
 * A token estimate for budgets (the bench, the tool-definition budget test): UTF-8 bytes / 4,
 * rounded up. Tokenizers differ; English prose and JSON average about four bytes per token, and
 * bytes (rather than characters) keep the estimate on the safe side for non-ASCII text, which
 * tokenizers split finer. It compares sizes; it does not predict a bill.
 */
export const BYTES_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / BYTES_PER_TOKEN);
}
