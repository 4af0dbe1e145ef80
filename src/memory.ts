import { setFlagsFromString } from "node:v8";

/**
 * Resident memory of the stdio server. Every MCP client launches its own copy, which serves one
 * client, one call at a time, and mostly waits. Under steady allocation (a page of results is
 * tens of kilobytes, parsed, shaped and serialised) V8 doubles its young generation step by
 * step up to 16 MB per semi-space and keeps it while the process lives: about 30 MB of RSS
 * that buys nothing at this pace. The young generation stays at its initial size instead.
 *
 * --max-semi-space-size cannot do it from here: it is fixed when the heap is set up, before
 * this code runs. The growth factor is read at each growth, so setting it to 1 at run time
 * stops the growth (Node keeps V8 flags writable after start for v8.setFlagsFromString).
 * An operator who tunes the young generation with node's own flags or NODE_OPTIONS keeps
 * their choice. The HTTP transport serves many clients at once and keeps V8's defaults.
 */
export const YOUNG_GENERATION_FLAG = "--semi-space-growth-factor=1";

export function youngGenerationFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const tuned = [...execArgv, nodeOptions ?? ""].some((argument) => /semi[-_]space/.test(argument));
  return tuned ? undefined : YOUNG_GENERATION_FLAG;
}

export function keepYoungGenerationSmall(): void {
  const flag = youngGenerationFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) setFlagsFromString(flag);
}
