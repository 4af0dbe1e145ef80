/** The groups of tools an operator can switch on with LEADPANTHER_TOOLSETS; core tools are always on. */
export const TOOLSETS = ["clients", "posts", "lead_magnets", "media", "analytics", "leads", "activity"] as const;
export type Toolset = (typeof TOOLSETS)[number];
