import { validateEvent } from '../../../lambda/shared';
import { pipelineEvent } from '../../helpers/kinesis-events';

describe('validateEvent', () => {
  test('accepts an event with the four required fields and keeps extra fields', () => {
    // Prepare
    const event = { ...pipelineEvent(), source: 'checkout' };

    // Act
    const result = validateEvent(event);

    // Assess
    expect(result).toEqual({ valid: true, event });
  });

  test.each([
    ['2024-11-24T23:20:00Z'],
    ['2024-11-24T23:20Z'],
    ['2024-11-24T23:20:00.123456+01:00'],
    ['2024-11-24T23:20:00-05:30'],
  ])('accepts occurredAt %s', (occurredAt) => {
    expect(validateEvent(pipelineEvent({ occurredAt })).valid).toBe(true);
  });

  test.each<[string, unknown, string]>([
    ['a non-object', 'hello', 'event must be a JSON object, got "hello"'],
    ['null', null, 'event must be a JSON object, got null'],
    ['an array', [1, 2], 'event must be a JSON object, got an array'],
    [
      'a missing eventId',
      { ...pipelineEvent(), eventId: undefined },
      'eventId must be a non-empty string, got nothing',
    ],
    [
      'an empty eventId',
      { ...pipelineEvent(), eventId: '  ' },
      'eventId must be a non-empty string, got "  "',
    ],
    ['a numeric eventId', { ...pipelineEvent(), eventId: 7 }, 'eventId must be a non-empty string, got 7'],
    [
      'a missing type',
      { ...pipelineEvent(), type: undefined },
      'type must be a non-empty string, got nothing',
    ],
    ['an empty type', { ...pipelineEvent(), type: '' }, 'type must be a non-empty string, got ""'],
    [
      'an occurredAt without a zone',
      { ...pipelineEvent(), occurredAt: '2024-11-24T23:20:00' },
      'occurredAt must be an ISO-8601 date-time with a time zone, got "2024-11-24T23:20:00"',
    ],
    [
      'an occurredAt that is not a date',
      { ...pipelineEvent(), occurredAt: '2024-13-45T99:00:00Z' },
      'occurredAt must be an ISO-8601 date-time with a time zone, got "2024-13-45T99:00:00Z"',
    ],
    [
      'an epoch-number occurredAt',
      { ...pipelineEvent(), occurredAt: 1732490400 },
      'occurredAt must be an ISO-8601 date-time with a time zone, got 1732490400',
    ],
    [
      'a missing payload',
      { ...pipelineEvent(), payload: undefined },
      'payload must be a JSON object, got nothing',
    ],
    ['a null payload', { ...pipelineEvent(), payload: null }, 'payload must be a JSON object, got null'],
    ['an array payload', { ...pipelineEvent(), payload: [] }, 'payload must be a JSON object, got an array'],
    ['a string payload', { ...pipelineEvent(), payload: 'x' }, 'payload must be a JSON object, got "x"'],
  ])('rejects %s with its reason', (_case, value, reason) => {
    expect(validateEvent(value)).toEqual({ valid: false, reason });
  });

  test('quotes at most 60 characters of an offending value', () => {
    const result = validateEvent({ ...pipelineEvent(), occurredAt: 'x'.repeat(500) });

    expect(result).toEqual({
      valid: false,
      reason: `occurredAt must be an ISO-8601 date-time with a time zone, got "${'x'.repeat(59)}...`,
    });
  });
});
