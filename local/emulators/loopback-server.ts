import type { Server } from 'node:net';

/** Every emulator binds here: never reachable from another machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Listens on 127.0.0.1 on a free port chosen by the OS.
 * @returns the port the server is bound to
 */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`server bound to an unexpected address: ${String(address)}`));
        return;
      }
      resolve(address.port);
    });
  });
}

/** Closes a listening server; `dropConnections` first ends the keep-alive connections clients hold open. */
export function closeServer(server: Server, dropConnections: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    dropConnections();
  });
}

export function loopbackUrl(port: number): string {
  return `http://${LOOPBACK_HOST}:${port}`;
}
