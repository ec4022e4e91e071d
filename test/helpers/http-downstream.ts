import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the downstream received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the downstream answers: a status and body, or `hang` (never answer) to provoke a timeout. */
export type DownstreamReply = { readonly status: number; readonly body?: string } | 'hang';

/**
 * A real HTTP downstream on 127.0.0.1, port 0. Every request is recorded; `reply` decides the answer
 * per request (it may await, to hold a request open).
 */
export class HttpDownstream {
  readonly received: ReceivedRequest[] = [];
  reply: (request: ReceivedRequest) => DownstreamReply | Promise<DownstreamReply> = () => ({ status: 200 });
  private server?: Server;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(request);
        void Promise.resolve(this.reply(request)).then((answer) => {
          if (answer === 'hang') return;
          res.writeHead(answer.status, { 'content-type': 'text/plain' });
          res.end(answer.body ?? '');
        });
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
