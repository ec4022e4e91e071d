/**
 * The event schema: the one definition of what a producer puts on the stream and a consumer accepts.
 *
 * A record's data is the UTF-8 JSON encoding of a {@link PipelineEvent}. Unknown top-level fields are
 * kept and forwarded (producers may add fields without a consumer release); the four fields below are
 * required.
 *
 * @example
 * ```json
 * {
 *   "eventId": "0b6f3c1e-3f0d-4d5e-9d8a-4f7e2c1b9a10",
 *   "type": "order.created",
 *   "occurredAt": "2024-11-29T10:15:30.123Z",
 *   "payload": { "orderId": "o-123", "total": 42.5 }
 * }
 * ```
 */
export interface PipelineEvent {
  /** Unique id of the event, non-empty. The downstream deduplicates on it (sent as the Idempotency-Key header). */
  readonly eventId: string;
  /** What happened, e.g. `order.created`. Non-empty. */
  readonly type: string;
  /** When it happened: an ISO-8601 date-time with a time zone (`Z` or `+hh:mm`). */
  readonly occurredAt: string;
  /** The event's body: a JSON object (not an array, not null). */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Further producer fields are allowed and forwarded unchanged. */
  readonly [field: string]: unknown;
}

/** The outcome of {@link validateEvent}: the typed event, or the first reason it is not one. */
export type EventValidation =
  | { readonly valid: true; readonly event: PipelineEvent }
  | { readonly valid: false; readonly reason: string };

/** An ISO-8601 date-time with an explicit zone (a local time without one is ambiguous); it must also parse. */
const ISO_8601_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks that a parsed JSON value is a {@link PipelineEvent}.
 *
 * @param value - the result of `JSON.parse` on a record's data
 * @returns the event, or a reason naming the field and what was wrong with it
 * @example
 * ```ts
 * const result = validateEvent(JSON.parse(text));
 * if (!result.valid) throw new Error(result.reason);
 * ```
 */
export function validateEvent(value: unknown): EventValidation {
  if (!isObject(value)) return invalid(`event must be a JSON object, got ${describe(value)}`);
  const { eventId, type, occurredAt, payload } = value;
  if (!isNonEmptyString(eventId))
    return invalid(`eventId must be a non-empty string, got ${describe(eventId)}`);
  if (!isNonEmptyString(type)) return invalid(`type must be a non-empty string, got ${describe(type)}`);
  if (!isIsoDateTime(occurredAt)) {
    return invalid(`occurredAt must be an ISO-8601 date-time with a time zone, got ${describe(occurredAt)}`);
  }
  if (!isObject(payload)) return invalid(`payload must be a JSON object, got ${describe(payload)}`);
  return { valid: true, event: value as PipelineEvent };
}

function invalid(reason: string): EventValidation {
  return { valid: false, reason };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isIsoDateTime(value: unknown): boolean {
  return typeof value === 'string' && ISO_8601_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** Longest excerpt of an offending value quoted in a reason, so reasons stay one readable line. */
const MAX_QUOTED_CHARS = 60;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const quoted = JSON.stringify(value);
  return quoted.length > MAX_QUOTED_CHARS ? `${quoted.slice(0, MAX_QUOTED_CHARS)}...` : quoted;
}
