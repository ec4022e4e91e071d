import {
  createServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import kinesalite from 'kinesalite';
import { closeServer, listenOnLoopback, loopbackUrl } from './loopback-server';

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`, for AWS_ENDPOINT_URL_<SERVICE> or a client's `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

type RequestListener = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/**
 * Starts kinesalite behind an HTTP/2 cleartext server. The SDK v3 Kinesis client speaks HTTP/2 by
 * default, so clients (and the handler code) need no custom request handler to reach it.
 */
export async function startKinesisEmulator(): Promise<RunningEmulator> {
  // kinesalite builds an HTTP/1 server around its request listener; only the listener is used, served
  // through node's HTTP/2 compatibility API. Zero delays so streams are ACTIVE at once.
  const http1 = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 500 });
  const listener = http1.listeners('request')[0] as RequestListener;
  const server = createServer(listener);
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: loopbackUrl(port),
    stop: () => closeServer(server, () => sessions.forEach((session) => session.destroy())),
  };
}
