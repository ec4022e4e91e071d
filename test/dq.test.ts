import { startDynalite, createBreakerTable } from './helpers/dynalite';
import { DynamoDbBreakerStore } from '../lambda/shared/breaker/dynamodb-store';
import { condition } from '../lambda/shared/breaker/store';
it('not', async () => {
  const d = await startDynalite();
  await createBreakerTable(d.client(), 't');
  const s = new DynamoDbBreakerStore({ dynamodb: d.api(), tableName: 't' });
  console.log(await s.update('a', { set: { successes: 1 } }, condition.itemExists(false)));
  console.log(await s.update('a', { set: { failures: 1, writeId: 'x' } }, condition.all(condition.equals('successes', 2), condition.not(condition.equals('writeId', 'x')))));
  console.log(await s.update('a', { set: { failures: 1, writeId: 'x' } }, condition.all(condition.equals('successes', 1), condition.not(condition.equals('writeId', 'x')))));
  console.log(await s.update('a', { set: { failures: 1, writeId: 'x' } }, condition.all(condition.equals('successes', 1), condition.not(condition.equals('writeId', 'x')))));
  await d.stop();
});
