import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

type Handle = NodeHttpHandler['handle'];

/**
 * What happens to one HTTP attempt of an SDK client:
 * - `pass`: sent and answered as the server answers;
 * - `fail`: never sent; the attempt fails as a reset connection does;
 * - `lose-answer`: sent, and the server's answer awaited, then the attempt fails as a reset
 *   connection does: the write has committed but the caller never hears so.
 */
export type AttemptFault = 'pass' | 'fail' | 'lose-answer';

/** A connection reset, as Node reports it: the SDK classifies it as a transient, retryable error. */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up (injected by the test)'), { code: 'ECONNRESET' });
}

/**
 * The SDK's own Node.js request handler with faults injected per attempt, for SDK clients in tests
 * (`new DynamoDBClient({ requestHandler: new FaultyRequestHandler(...) })`): the client's retries,
 * timeouts and error handling run as deployed, against a real server, and only the wire misbehaves.
 * @param faultOf - the fault for attempt `index` (0-based, over the handler's life); `target` is the
 *   request's X-Amz-Target header (e.g. `DynamoDB_20120810.UpdateItem`)
 */
export class FaultyRequestHandler extends NodeHttpHandler {
  /** Every attempt seen, with the fault it got. */
  readonly attempts: { readonly target: string; readonly fault: AttemptFault }[] = [];

  constructor(
    private readonly faultOf: (index: number, target: string) => AttemptFault,
    options?: NodeHttpHandlerOptions,
  ) {
    super(options);
  }

  override async handle(...[request, options]: Parameters<Handle>): ReturnType<Handle> {
    const target = request.headers['x-amz-target'] ?? '';
    const fault = this.faultOf(this.attempts.length, target);
    this.attempts.push({ target, fault });
    if (fault === 'fail') throw connectionReset();
    const answered = await super.handle(request, options);
    if (fault === 'pass') return answered;
    // Drain the answer so that the connection is released, then report no answer.
    const body = answered.response.body as NodeJS.ReadableStream | undefined;
    if (body) for await (const chunk of body) void chunk;
    throw connectionReset();
  }
}
