import type { RouteVariant, ToolDefinition } from "./types.js";

/** Fills `{placeholders}` with encoded values. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`no value for {${key}} in ${template}`);
    return encodeURIComponent(value);
  });
}

/** Path template actually used for a variant. */
export function pathTemplateFor(op: ToolDefinition, variant: RouteVariant): string {
  return variant !== "direct" && op.agencyPath ? op.agencyPath : op.directPath;
}

/** Whether the operation works on an account (and so takes a client for agency work). */
export function isAccountScoped(op: ToolDefinition): boolean {
  return op.agencyPath !== undefined;
}

/** Whether the tool works on a client account for agency work: an account route, or a client's own record. */
export function worksOnClient(op: ToolDefinition): boolean {
  return isAccountScoped(op) || op.directPath.includes("{clientId}");
}
