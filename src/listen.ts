import type { Server } from "node:http";

/**
 * Starts an HTTP server on a port and host, rejecting on a listen error (EADDRINUSE, EACCES)
 * instead of leaving it as an unhandled 'error' event. Shared by the sandbox and the HTTP
 * transport; it depends on nothing else of either.
 */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
