import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeName } from '../../../../lambda/shared';

/*
 * Fault: docs/architecture.md ("Per-key quarantine", "The set") tells operators the set is the breaker
 * item's attribute `q#<consumer>`; the code writes `quarantine#<consumer>`. An operator inspecting or
 * repairing the item by hand (the documented fix for a key entered with nothing to drain) looks for an
 * attribute that does not exist.
 */
it('docs/architecture.md names the attribute the set is stored in', () => {
  const doc = readFileSync(join(__dirname, '../../../../docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Per-key quarantine'), doc.indexOf('## Circuit breaker'));

  expect(section).toContain(`\`${setAttributeName('<consumer>')}\``);
});
