/**
 * Bounds on the HTTP transport's open connections. Every open socket costs a file descriptor
 * and memory; idle ones cost nothing to open, so a client can hold thousands (and exhaust the
 * descriptors legitimate requests need). Two rules:
 * - a connection that has not carried an authenticated request within `unauthenticatedIdleMs`
 *   is closed (also one whose request headers never finish: it never gets a request);
 * - at `maxConnections`, a new connection makes room by closing the oldest connection that is
 *   idle and never authenticated, so a flood of such connections cannot lock out a client
 *   with the token. Only when every open connection is authenticated or busy is the new one
 *   refused. Reaching the bound is logged as one warning per minute, with a count.
 * "Authenticated" means a request passed every check up to the bearer token (with no token
 * configured, the Host and Origin checks); after that the keep-alive timeout governs idleness.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log.js";

/** Between two warnings about the bound. */
const BOUND_WARNING_INTERVAL_MS = 60_000;

interface Tracked {
  authenticated: boolean;
  /** Requests on this connection whose response has not closed yet. */
  busy: number;
  timer: NodeJS.Timeout | undefined;
}

export interface ConnectionBounds {
  maxConnections: number;
  unauthenticatedIdleMs: number;
}

export class ConnectionLimiter {
  /** In order of arrival: the first evictable entry is the oldest. */
  private readonly open = new Map<Socket, Tracked>();
  private lastWarning = Number.NEGATIVE_INFINITY;
  private closedSinceWarning = 0;

  constructor(
    private readonly bounds: ConnectionBounds,
    private readonly logger: Logger,
  ) {}

  /** Tracks every connection `server` accepts. */
  attach(server: Server): void {
    server.on("connection", (socket: Socket) => this.accept(socket));
  }

  get size(): number {
    return this.open.size;
  }

  /** A request arrived on `socket`; call the returned function when its response closes. */
  requestStarted(socket: Socket): () => void {
    const tracked = this.open.get(socket);
    if (tracked === undefined) return () => undefined;
    tracked.busy += 1;
    return () => {
      tracked.busy -= 1;
    };
  }

  /** A request on `socket` passed the token check: the connection is a client's, not a stranger's. */
  authenticated(socket: Socket): void {
    const tracked = this.open.get(socket);
    if (tracked === undefined || tracked.authenticated) return;
    tracked.authenticated = true;
    clearTimeout(tracked.timer);
    tracked.timer = undefined;
  }

  private accept(socket: Socket): void {
    if (this.open.size >= this.bounds.maxConnections && !this.evictOne()) {
      this.noteBound(true);
      socket.destroy();
      return;
    }
    const tracked: Tracked = { authenticated: false, busy: 0, timer: undefined };
    tracked.timer = setTimeout(() => {
      if (!tracked.authenticated && tracked.busy === 0) socket.destroy();
    }, this.bounds.unauthenticatedIdleMs);
    tracked.timer.unref();
    this.open.set(socket, tracked);
    socket.once("close", () => {
      clearTimeout(tracked.timer);
      this.open.delete(socket);
    });
  }

  /** Closes the oldest idle connection that never authenticated; false when there is none. */
  private evictOne(): boolean {
    for (const [socket, tracked] of this.open) {
      if (tracked.authenticated || tracked.busy > 0) continue;
      clearTimeout(tracked.timer);
      this.open.delete(socket);
      socket.destroy();
      this.noteBound(false);
      return true;
    }
    return false;
  }

  private noteBound(refused: boolean): void {
    this.closedSinceWarning += 1;
    const now = Date.now();
    if (now - this.lastWarning < BOUND_WARNING_INTERVAL_MS) return;
    this.lastWarning = now;
    this.logger.warn(
      refused
        ? "HTTP connection bound reached and every open connection is in use: refusing new connections. Raise LEADPANTHER_HTTP_MAX_CONNECTIONS if this load is legitimate."
        : "HTTP connection bound reached: closing the oldest idle connections that sent no authenticated request. Raise LEADPANTHER_HTTP_MAX_CONNECTIONS if this load is legitimate.",
      { max_connections: this.bounds.maxConnections, closed_since_last_warning: this.closedSinceWarning },
    );
    this.closedSinceWarning = 0;
  }
}
