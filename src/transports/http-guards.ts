/**
 * Who may talk to the HTTP transport: the Host check (DNS rebinding), the Origin check
 * (other web pages) and the bearer token, each a pure function of a header.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { networkInterfaces } from "node:os";
import { loopbackHost } from "../config.js";

export interface Guards {
  hostAllowed(header: string | undefined): boolean;
  originAllowed(header: string | undefined): boolean;
  authorized(header: string | undefined): boolean;
}

export function createGuards(options: {
  host: string;
  token: string | undefined;
  allowedOrigins: readonly string[];
  /** The bound port, known only once listening. */
  port: () => number;
}): Guards {
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const allowedOrigins = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));
  const originHostnames = new Set([...allowedOrigins].map((origin) => new URL(origin).hostname.toLowerCase()));
  const interfaceAddresses = localAddresses();
  return {
    hostAllowed: (header) => hostAllowed(header, { boundHost: options.host, port: options.port(), originHostnames, interfaceAddresses }),
    originAllowed: (header) => originAllowed(header, allowedOrigins, { port: options.port(), tokenRequired: tokenDigest !== undefined }),
    authorized: (header) => tokenDigest === undefined || bearerMatches(header, tokenDigest),
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Compares fixed-length digests in constant time, so the answer time says nothing about the token. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const token = header === undefined ? undefined : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
  return timingSafeEqual(digest(token ?? ""), expected) && token !== undefined;
}

/**
 * Non-browser clients send no Origin; browsers always do on a cross-origin POST. A page served
 * from this machine is accepted on this server's own port; on any other local port (a dev server
 * showing untrusted content, say) only when every request must carry the token anyway, or when
 * its origin is listed in LEADPANTHER_ALLOWED_ORIGINS.
 */
function originAllowed(header: string | undefined, allowed: ReadonlySet<string>, bound: { port: number; tokenRequired: boolean }): boolean {
  if (header === undefined) return true;
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
  if (allowed.has(url.origin)) return true;
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !loopbackHost(url.hostname)) return false;
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return bound.tokenRequired || port === bound.port;
}

/**
 * DNS-rebinding protection: a page on attacker.example that re-resolves its name to 127.0.0.1
 * still sends `Host: attacker.example`. Accepted: a loopback name or address with the bound
 * port; the bound address with the bound port (for a wildcard bind, any address of this
 * machine's interfaces); and the host name of an allowed origin (behind a load balancer the
 * public port may differ, so only the name is compared).
 */
export function hostAllowed(
  header: string | undefined,
  bound: { boundHost: string; port: number; originHostnames: ReadonlySet<string>; interfaceAddresses?: ReadonlySet<string> },
): boolean {
  if (header === undefined || header === "") return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "") return false;
  const hostname = url.hostname.toLowerCase();
  const port = url.port === "" ? 80 : Number(url.port);
  if (loopbackHost(hostname)) return port === bound.port;
  const boundHost = normaliseHostname(bound.boundHost);
  const wildcard = boundHost === "0.0.0.0" || boundHost === "[::]";
  if (port === bound.port && (wildcard ? (bound.interfaceAddresses?.has(hostname) ?? false) : hostname === boundHost)) return true;
  return bound.originHostnames.has(hostname);
}

/** This machine's interface addresses as they appear in a Host header (IPv6 in brackets). */
function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) addresses.add(normaliseHostname(entry.address.replace(/%.*$/, "")));
  }
  return addresses;
}

function normaliseHostname(host: string): string {
  const lower = host.toLowerCase();
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
}
