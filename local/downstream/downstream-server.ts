import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventIdOfIdempotencyKey } from '../../lambda/consumer';
import { DeliveryLog } from './delivery-log';
import { verifyRequest, type DownstreamAuthRequirement } from './request-auth';

/**
 * The phases of the scripted downstream timeline:
 * - `healthy` / `recovered`: answers 200 at once;
 * - `slow`: answers 200 after the phase's latency (a struggling service);
 * - `failing`: answers 503 (the outage);
 * - `rejecting`: answers 400 to every event (a rejection storm: a release that rejects the schema).
 * In any phase, a `stuckKey`'s events are answered 503 (one key failing while the others succeed).
 */
export type DownstreamPhase = 'healthy' | 'slow' | 'failing' | 'rejecting' | 'recovered';

export interface DownstreamBehaviour {
  readonly phase: DownstreamPhase;
  /** Delay before answering in the `slow` phase. */
  readonly latencyMillis: number;
  /**
   * A partition key whose events are answered 503 while every other key's succeed: one tenant's
   * database down behind the service (`--stuck-key-seconds`). @default - none
   */
  readonly stuckKey?: string;
}

export interface DownstreamServerOptions {
  /** The consumer this downstream serves; also the URL path. */
  readonly name: string;
  /** Asked on every request: what the downstream does now (the scripted timeline). */
  readonly behaviourNow: () => DownstreamBehaviour;
  /** Clock of the call log. @default Date.now */
  readonly now?: () => number;
  /**
   * What each request must carry; a request without it is answered 401 (bearer) or 403 (SigV4), as
   * the AWS front doors do, logged as such, and never delivered. @default - nothing
   */
  readonly auth?: DownstreamAuthRequirement;
}

const HTTP_OK = 200;
const HTTP_BAD_REQUEST = 400;
const HTTP_SERVICE_UNAVAILABLE = 503;

/**
 * Payload field that makes the downstream reject an event with 400, the way a real service rejects an
 * event it can never accept (the consumer poisons it).
 */
export const REJECT_FIELD = 'rejectMe';

/**
 * A local HTTP downstream on 127.0.0.1 and a free port. It deduplicates on the Idempotency-Key header
 * like a well-behaved service, and logs every call in a {@link DeliveryLog}.
 */
export class DownstreamServer {
  readonly log = new DeliveryLog();
  private server: Server | undefined;
  private baseUrl = '';
  private readonly now: () => number;

  constructor(private readonly options: DownstreamServerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Requests being served now: the concurrency the consumers put on the downstream. */
  private inFlight = 0;

  /** The URL the consumer POSTs to; valid after {@link start}. */
  get url(): string {
    return `${this.baseUrl}/${this.options.name}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      await this.serve(req, res, this.inFlight);
    } finally {
      this.inFlight--;
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, inFlight: number): Promise<void> {
    const atMillis = this.now();
    const body = await readBody(req);
    const eventId = headerValue(req.headers['idempotency-key']);
    const { phase, latencyMillis, stuckKey } = this.options.behaviourNow();
    if (eventId === undefined) return answer(res, HTTP_BAD_REQUEST, 'Idempotency-Key header is required');
    const verdict = await verifyRequest(
      this.options.auth ?? { type: 'none' },
      { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body },
      atMillis,
    );
    if (!verdict.ok) {
      this.log.record({ atMillis, eventId, status: verdict.status, inFlight });
      return answer(res, verdict.status, verdict.why);
    }
    const fields = eventFields(body);
    const stuck = stuckKey !== undefined && fields.key === stuckKey;
    // A failing or rejecting downstream answers at once; a healthy one takes its latency.
    if (latencyMillis > 0 && phase !== 'failing' && phase !== 'rejecting')
      await new Promise((resolve) => setTimeout(resolve, latencyMillis));
    const status =
      phase === 'failing' || stuck
        ? HTTP_SERVICE_UNAVAILABLE
        : phase === 'rejecting' || fields.reject
          ? HTTP_BAD_REQUEST
          : HTTP_OK;
    this.log.record({ atMillis, eventId, status, key: fields.key, seq: fields.seq, inFlight });
    answer(
      res,
      status,
      status === HTTP_OK ? '' : phase === 'failing' ? 'outage' : stuck ? 'key unavailable' : 'event rejected',
    );
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

/** The eventId an Idempotency-Key stands for (non-ASCII ids arrive encoded, see lambda/consumer/idempotency-key.ts). */
function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : eventIdOfIdempotencyKey(first);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The game day's payload fields, read leniently: any event is accepted, only these steer the server. */
function eventFields(body: string): { key?: string; seq?: number; reject: boolean } {
  try {
    const event = JSON.parse(body) as { payload?: Record<string, unknown> };
    const payload = event.payload ?? {};
    return {
      key: typeof payload.key === 'string' ? payload.key : undefined,
      seq: typeof payload.seq === 'number' ? payload.seq : undefined,
      reject: payload[REJECT_FIELD] === true,
    };
  } catch {
    return { reject: false };
  }
}
