import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import dynalite from 'dynalite';
import { closeServer } from './loopback-server';

/**
 * dynalite with a fault switch and a stop that is safe under load. dynalite runs an action as several
 * store operations (UpdateItem reads, then writes); when its server closes, it closes its store as soon
 * as the store has no operation running, which can fall between two operations of one action: the next
 * one then fails with "Database is closed", which dynalite throws from a callback, an uncaught exception
 * in whatever process hosts it (a test worker, the game day). `stop()` therefore refuses new requests,
 * waits for every request dynalite is serving to be answered, and only then closes the server.
 */
export interface DynaliteServer {
  /** The HTTP server, not yet listening. */
  readonly server: Server;
  /** While true every request is answered 503 ServiceUnavailable, as DynamoDB answers when it cannot serve. */
  readonly setUnavailable: (unavailable: boolean) => void;
  readonly isUnavailable: () => boolean;
  /** How many requests dynalite is serving now. */
  readonly inFlight: () => number;
  /** Refuses new requests (503), waits for those in flight to be answered, closes connections, server and store. */
  readonly stop: () => Promise<void>;
}

const SERVICE_UNAVAILABLE = 503;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** @param unavailableMessage - the message of a refusal, naming who switched the store off */
export function createDynaliteServer(unavailableMessage: string): DynaliteServer {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const serve = server.listeners('request')[0] as RequestListener;
  const refusal = JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
    message: unavailableMessage,
  });
  let unavailable = false;
  let stopping = false;
  let inFlight = 0;
  let onSettled: (() => void) | undefined;

  // Replace dynalite's listener with one that can refuse and counts; dynalite's close() still closes its store.
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (unavailable || stopping) {
      req.resume();
      res.writeHead(SERVICE_UNAVAILABLE, { 'Content-Type': 'application/x-amz-json-1.0' });
      res.end(refusal);
      return;
    }
    inFlight += 1;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      inFlight -= 1;
      if (inFlight === 0) onSettled?.();
    };
    // dynalite answers once its action has finished with the store.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      settle();
      return end(...args);
    }) as ServerResponse['end'];
    // A request whose body never fully arrived never reaches the store.
    req.once('close', () => {
      if (!req.complete) settle();
    });
    try {
      serve(req, res);
    } catch (error) {
      settle();
      throw error;
    }
  });

  return {
    server,
    setUnavailable: (value) => {
      unavailable = value;
    },
    isUnavailable: () => unavailable,
    inFlight: () => inFlight,
    stop: async () => {
      stopping = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (onSettled = resolve));
      await closeServer(server, () => server.closeAllConnections());
    },
  };
}
