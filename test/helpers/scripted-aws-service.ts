import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the scripted service; `hang` never answers. */
export type Answer =
  { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | 'hang';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };

/** A DynamoDB-like endpoint on 127.0.0.1 whose answers the test scripts, recording each request. */
export class ScriptedService {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => Answer = () => ({ status: 200, body: '{}' });
  private server?: Server;

  async start(): Promise<URL> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(request);
        const answer = this.answer(request, this.received.length - 1);
        if (answer === 'hang') return;
        res.writeHead(answer.status, { ...JSON_HEADERS, ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
