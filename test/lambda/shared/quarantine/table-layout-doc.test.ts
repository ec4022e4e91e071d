import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  QUARANTINE_TABLE_PARTITION_KEY,
  QUARANTINE_TABLE_SORT_KEY,
  resourceNamesFor,
} from '../../../../contracts';

/*
 * docs/architecture.md ("Per-key quarantine", "The table") tells operators where the set is: an operator
 * inspecting or repairing an entry by hand (the documented fix for a key entered with nothing to drain)
 * must find the table and the item by the names the code uses.
 */
it('docs/architecture.md names the quarantine table and its key attributes', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Per-key quarantine'), doc.indexOf('## Circuit breaker'));

  expect(section).toContain(`\`${resourceNamesFor('<stage>').quarantineTableName}\``);
  expect(section).toContain(`partition key \`${QUARANTINE_TABLE_PARTITION_KEY}\``);
  expect(section).toContain(`sort key \`${QUARANTINE_TABLE_SORT_KEY}\``);
});
