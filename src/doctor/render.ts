/** The doctor's report for a person: settings, API, key, the client probed for, and one line per route. */
import { SERVER_NAME } from "../version.js";
import type { DoctorReport, RouteResult } from "./report.js";

const RESULTS: readonly RouteResult[] = ["ok", "missing", "forbidden", "unverified", "error"];

export function renderText(report: DoctorReport): string[] {
  const lines: string[] = [`${SERVER_NAME} doctor ${report.version}`, ""];
  const row = (label: string, value: string): void => {
    lines.push(`  ${label.padEnd(15)} ${value}`);
  };
  const { settings } = report;
  lines.push("Settings");
  row("base URL", `${settings.baseUrl}${settings.sandbox ? " (bundled sandbox, invented data)" : ""}`);
  row(
    "API key",
    settings.key === null ? "not set" : `${settings.key.prefix ?? "unknown prefix"}… (${settings.key.length} characters)`,
  );
  row("read-only", settings.readOnly ? "yes" : "no");
  row("toolsets", settings.toolsets.join(", "));
  row("client", settings.clientId ?? "not pinned");
  row("timeout", `${settings.timeoutMs} ms`);

  if (report.api) {
    lines.push("", "API");
    row("GET /", report.api.ok ? `ok: ${report.api.name ?? "?"} ${report.api.version ?? "?"}` : report.api.detail);
  }
  if (report.me) {
    if (!report.me.ok) row("GET /me", report.me.detail);
    else {
      const owner = report.me.owner;
      const who = [owner?.full_name, owner?.business_name ? `(${String(owner.business_name)})` : undefined].filter((part) => typeof part === "string").join(" ");
      row("GET /me", `ok: ${report.me.actorType ?? "?"}${who ? `, ${who}` : ""}${typeof owner?.user_id === "string" ? `, user ${owner.user_id}` : ""}`);
      row("scopes", (report.me.scopes ?? []).join(" ") || "(none)");
      row("tools exposed", `${report.exposedTools.length}: ${report.exposedTools.join(", ")}`);
    }
  }
  if (report.probeClient) {
    const client = report.probeClient;
    row(
      "probing client",
      `${client.userId}${client.name ? ` (${client.name})` : ""}${client.grantStatus ? `, grant ${client.grantStatus}` : ""}${client.permissions ? `: ${client.permissions.join(" ") || "no permissions"}` : ""}`,
    );
  }

  if (report.routes.length > 0) {
    lines.push("", "Routes (nothing is created, changed or deleted: writes are probed with a method the route refuses)");
    const header = ["tool", "method", "route", "provenance", "result", "seen"];
    const rows = report.routes.map((route) => [
      route.tool,
      route.method,
      route.route,
      route.provenance,
      route.result,
      `${route.probe ? `${route.probe} → ` : ""}${route.detail}`,
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] as string).length)));
    const format = (cells: string[]): string =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
        .join("  ")
        .trimEnd();
    lines.push(format(header));
    for (const cells of rows) lines.push(format(cells));
  }

  if (report.problems.length > 0) {
    lines.push("", "Problems");
    for (const problem of report.problems) lines.push(`  - ${problem}`);
  }
  lines.push("");
  const counts = RESULTS.map((result) => `${report.summary[result]} ${result}`).join(", ");
  const verdict =
    report.exitCode === 0
      ? "every route this key can reach is present."
      : report.exitCode === 2
        ? "fix the settings above first."
        : report.summary.missing > 0
          ? `missing: ${report.routes.filter((route) => route.result === "missing").map((route) => route.tool).join(", ")}.`
          : "see the errors above.";
  lines.push(report.routes.length > 0 ? `Summary: ${counts}. ${capitalise(verdict)}` : `Summary: ${capitalise(verdict)}`);
  lines.push(`Exit status ${report.exitCode}.`);
  return lines;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
