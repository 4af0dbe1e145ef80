import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CATALOG, type Operation } from "./catalog.js";
import { SETTINGS, type SettingSpec } from "./config.js";

/**
 * The README's tool and configuration tables, generated from the catalog and the settings
 * table so the documentation cannot drift: a test fails when the README is stale, and
 * `npm run readme` rewrites it.
 */

function requirement(op: Operation): string {
  switch (op.requires.kind) {
    case "none":
      return "none";
    case "key":
      return "any valid key";
    case "scope":
      return `\`${op.requires.scope}\``;
  }
}

function effect(op: Operation): string {
  return op.effect === "read" ? "read" : op.effect === "write" ? "write" : "**destructive**";
}

export function toolTable(): string {
  const rows = CATALOG.map(
    (op) =>
      `| \`${op.name}\` | ${op.method} \`${op.directPath}\` | ${op.agencyPath ? `\`${op.agencyPath}\`` : "—"} | ${requirement(op)} | ${effect(op)} | ${op.provenance}${op.provenanceNote ? ` (${op.provenanceNote})` : ""} |`,
  );
  return [
    "| tool | direct route | agency route | scope | effect | provenance |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function settingsTable(): string {
  const rows = (Object.values(SETTINGS) as SettingSpec[]).map(
    (spec) =>
      `| ${spec.env ? `\`${spec.env}\`` : "—"} | ${spec.flag ? `\`${spec.flag}\`` : "—"} | ${spec.summary} | ${spec.accepted} | ${spec.defaultText} |`,
  );
  return ["| variable | flag | what it does | accepted | default |", "|---|---|---|---|---|", ...rows].join("\n");
}

const SECTIONS: Record<string, () => string> = { tools: toolTable, settings: settingsTable };

/** The README with every generated section replaced by its current content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, from + start.length)}\n${make()}\n${out.slice(to)}`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--write")) {
  const path = fileURLToPath(new URL("../README.md", import.meta.url));
  writeFileSync(path, renderReadme(readFileSync(path, "utf8")));
  process.stderr.write("README.md tables regenerated from the catalog and settings\n");
}
