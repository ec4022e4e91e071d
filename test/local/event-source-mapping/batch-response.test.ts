import { judgeBatchResponse } from '../../../local/event-source-mapping';

describe('judgeBatchResponse', () => {
  const batch = [{ sequenceNumber: '100' }, { sequenceNumber: '200' }, { sequenceNumber: '300' }];

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a null list', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('treats %s as complete success', (_case, response) => {
    expect(judgeBatchResponse(response, batch, true)).toEqual({ kind: 'success' });
  });

  it('picks the lowest failed sequence number, compared as numbers not strings', () => {
    const wide = [{ sequenceNumber: '9' }, { sequenceNumber: '10' }, { sequenceNumber: '11' }];
    const response = { batchItemFailures: [{ itemIdentifier: '11' }, { itemIdentifier: '10' }] };
    expect(judgeBatchResponse(response, wide, true)).toEqual({ kind: 'partial', failedIndex: 1 });
  });

  it.each([
    ['a string response', 'failed'],
    ['a list that is not a list', { batchItemFailures: { itemIdentifier: '100' } }],
    ['a null entry', { batchItemFailures: [null] }],
    ['a numeric itemIdentifier', { batchItemFailures: [{ itemIdentifier: 100 }] }],
    [
      'an unknown itemIdentifier among valid ones',
      { batchItemFailures: [{ itemIdentifier: '200' }, { itemIdentifier: '999' }] },
    ],
  ])('fails the whole batch on %s', (_case, response) => {
    expect(judgeBatchResponse(response, batch, true).kind).toBe('invalid');
  });

  it('ignores the response without ReportBatchItemFailures', () => {
    expect(judgeBatchResponse({ batchItemFailures: [{ itemIdentifier: '' }] }, batch, false)).toEqual({
      kind: 'success',
    });
  });
});
