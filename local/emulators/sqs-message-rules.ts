import type {
  IncomingHttpHeaders,
  IncomingMessage,
  RequestListener,
  Server,
  ServerResponse,
} from 'node:http';
import { Readable } from 'node:stream';
import { isValidSqsMessageBody, SQS_MAX_MESSAGE_BYTES } from '../../lambda/shared';

/**
 * Real SQS's rules on message bodies, enforced in front of local-aws-sqs, which accepts characters
 * SQS refuses (U+FFFF, NUL, lone surrogates) and bodies over 1 MiB. With the guard, a test or game day
 * that sends what real SQS would refuse gets the same error real SQS answers:
 * - a body with a character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF:
 *   `InvalidMessageContents`;
 * - a body over 1 MiB (1,048,576 bytes of UTF-8), or an empty one: `InvalidParameterValue`;
 * - a SendMessageBatch whose bodies add up to more than 1 MiB: `BatchRequestTooLong`.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */

const JSON_PROTOCOL_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_HEADER = 'x-amz-target';
const HTTP_BAD_REQUEST = 400;
/** A character SQS refuses (same set as isValidSqsMessageBody, tested here for the error code). */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Why real SQS would refuse a request, in its own terms. */
export interface SqsRefusal {
  readonly code: 'InvalidMessageContents' | 'InvalidParameterValue' | 'BatchRequestTooLong';
  readonly message: string;
}

/**
 * Wraps the request listeners of a local-aws-sqs server: every SendMessage and SendMessageBatch is
 * checked first and refused as SQS would; everything else passes through unchanged.
 */
export function enforceSqsMessageRules(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void screen(req, res, listeners);
  });
}

async function screen(
  req: IncomingMessage,
  res: ServerResponse,
  listeners: RequestListener[],
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const refusal = sqsRefusalOf(req.headers, body.toString('utf8'));
  if (refusal !== undefined) {
    answerRefusal(res, req.headers, refusal);
    return;
  }
  // The emulator reads only the headers and the body events of the request: replay them.
  const replay = Object.assign(Readable.from(body.length === 0 ? [] : [body]), {
    headers: req.headers,
    method: req.method,
    url: req.url,
  }) as unknown as IncomingMessage;
  for (const listener of listeners) listener(replay, res);
}

/** Whether real SQS would refuse this request for its message bodies; `undefined` when it would not. */
export function sqsRefusalOf(headers: IncomingHttpHeaders, body: string): SqsRefusal | undefined {
  const { action, bodies } = messageBodiesOf(headers, body);
  if (action !== 'SendMessage' && action !== 'SendMessageBatch') return undefined;
  for (const text of bodies) {
    if (OUTSIDE_SQS_CHARACTERS.test(text)) {
      return {
        code: 'InvalidMessageContents',
        message:
          'Invalid characters found. Deleted message body contains characters outside the allowed set.',
      };
    }
    if (!isValidSqsMessageBody(text)) {
      return {
        code: 'InvalidParameterValue',
        message: `One or more parameters are invalid. Reason: Message must be between 1 and ${SQS_MAX_MESSAGE_BYTES} bytes long.`,
      };
    }
  }
  const total = bodies.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  if (action === 'SendMessageBatch' && total > SQS_MAX_MESSAGE_BYTES) {
    return {
      code: 'BatchRequestTooLong',
      message: `Batch requests cannot be longer than ${SQS_MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
    };
  }
  return undefined;
}

interface SendRequestShape {
  readonly MessageBody?: unknown;
  readonly Entries?: readonly { readonly MessageBody?: unknown }[];
}

/** The action and every message body of a request, in the JSON protocol (SDK v3) or the query protocol. */
function messageBodiesOf(headers: IncomingHttpHeaders, body: string): { action?: string; bodies: string[] } {
  if (headers['content-type'] === JSON_PROTOCOL_CONTENT_TYPE) {
    const action = String(headers[TARGET_HEADER] ?? '').split('.')[1];
    let parsed: SendRequestShape;
    try {
      parsed = JSON.parse(body) as SendRequestShape;
    } catch {
      return { action: undefined, bodies: [] }; // the emulator answers malformed input itself
    }
    const messages = action === 'SendMessageBatch' ? (parsed.Entries ?? []) : [parsed];
    return {
      action,
      bodies: messages.map((entry) => (typeof entry.MessageBody === 'string' ? entry.MessageBody : '')),
    };
  }
  const form = new URLSearchParams(body);
  const action = form.get('Action') ?? undefined;
  const bodies =
    action === 'SendMessageBatch'
      ? [...form.entries()]
          .filter(([name]) => /^SendMessageBatchRequestEntry\.\d+\.MessageBody$/.test(name))
          .map(([, value]) => value)
      : [form.get('MessageBody') ?? ''];
  return { action, bodies };
}

function answerRefusal(res: ServerResponse, headers: IncomingHttpHeaders, refusal: SqsRefusal): void {
  if (headers['content-type'] === JSON_PROTOCOL_CONTENT_TYPE) {
    res.writeHead(HTTP_BAD_REQUEST, {
      'content-type': JSON_PROTOCOL_CONTENT_TYPE,
      'x-amzn-query-error': `${refusal.code};Sender`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${refusal.code}`, message: refusal.message }));
    return;
  }
  res.writeHead(HTTP_BAD_REQUEST, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse><Error><Type>Sender</Type><Code>${refusal.code}</Code>` +
      `<Message>${refusal.message}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
  );
}
