import {
  ON_FAILURE_OBJECT_KEY_PATTERN,
  onFailureObjectKey,
  onFailureObjectPrefix,
  parseOnFailureObjectKey,
} from '../../contracts';

/*
 * The documented naming convention of an S3 on-failure destination, as the Lambda developer guide
 * writes it: aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
const DOCUMENTED = 'aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>';
const MAPPING_UUID = 'f89f8514-cdd9-4602-9e1f-01a5b77d449b';
const RANDOM_UUID = '0e4b3c2a-5d6f-4a1b-9c8d-7e6f5a4b3c2d';

/** Fills the documented template with the values of one object. */
function documentedKey(values: Record<string, string>): string {
  return DOCUMENTED.replace('<ESM-UUID>', values.uuid)
    .replace('<shardID>', values.shard)
    .replace('YYYY/MM/DD', values.datePath)
    .replace('YYYY-MM-DDTHH.MM.SS', values.stamp)
    .replace('<Random UUID>', values.random);
}

describe('on-failure object key', () => {
  test('follows the documented convention, in UTC, with dots between hours, minutes and seconds', () => {
    // GIVEN a batch discarded at 2019-11-14T00:38:06.021Z (the documented example's timestamp)
    const atMillis = Date.parse('2019-11-14T00:38:06.021Z');

    // WHEN
    const key = onFailureObjectKey({
      mappingUuid: MAPPING_UUID,
      shardId: 'shardId-000000000001',
      atMillis,
      randomUuid: RANDOM_UUID,
    });

    // THEN
    expect(key).toBe(
      documentedKey({
        uuid: MAPPING_UUID,
        shard: 'shardId-000000000001',
        datePath: '2019/11/14',
        stamp: '2019-11-14T00.38.06',
        random: RANDOM_UUID,
      }),
    );
    expect(key).toMatch(ON_FAILURE_OBJECT_KEY_PATTERN);
    expect(key.startsWith(onFailureObjectPrefix(MAPPING_UUID))).toBe(true);
  });

  test('parses back to the mapping and the shard; other keys are not on-failure objects', () => {
    const key = onFailureObjectKey({
      mappingUuid: MAPPING_UUID,
      shardId: 'shardId-000000000003',
      atMillis: Date.UTC(2026, 0, 2, 3, 4, 5),
      randomUuid: RANDOM_UUID,
    });
    expect(parseOnFailureObjectKey(key)).toEqual({
      mappingUuid: MAPPING_UUID,
      shardId: 'shardId-000000000003',
    });
    expect(parseOnFailureObjectKey('aws/lambda/not-a-uuid/shardId-1/2026/01/02/x')).toBeUndefined();
    expect(parseOnFailureObjectKey(`${key}.json`)).toBeUndefined();
  });
});
