import type { PoisonMessage } from '../../lambda/shared';
import { POISON_MESSAGE_SCHEMA_VERSION } from '../../lambda/shared';
import { MalformedMessageError } from './errors';

/**
 * Reads a poison DLQ message body (lambda/shared/poison-message.ts).
 * @throws {MalformedMessageError} naming the missing or invalid field
 */
export function parsePoisonMessage(messageId: string, body: string): PoisonMessage {
  let parsed: Partial<PoisonMessage> | null;
  try {
    parsed = JSON.parse(body) as Partial<PoisonMessage> | null;
  } catch {
    throw new MalformedMessageError(messageId, 'is not JSON');
  }
  if (parsed?.schemaVersion !== POISON_MESSAGE_SCHEMA_VERSION) {
    throw new MalformedMessageError(
      messageId,
      `has schemaVersion ${JSON.stringify(parsed?.schemaVersion)}; allowed ${POISON_MESSAGE_SCHEMA_VERSION} (a poison message)`,
    );
  }
  const required = parsed.dataInStream === true ? [] : (['data'] as const);
  for (const field of ['partitionKey', 'sequenceNumber', 'shardId', 'eventSourceARN', ...required] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      throw new MalformedMessageError(messageId, `has no ${field}`);
    }
  }
  return parsed as PoisonMessage;
}
