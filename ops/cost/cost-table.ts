import { PRICE_REGION, PRICES, PRICES_READ_ON, type Price, type PriceName } from './prices';
import type { StageCost } from './monthly-cost';

/**
 * The Markdown docs/cost.md carries between its `cost-model` markers: one table per stage with the
 * arithmetic (quantity × price = dollars), then the prices with their sources. A test compares the
 * two, so the document changes only with the model or the templates.
 */
export const TABLE_START = '<!-- cost-model:start (generated: npm run cost) -->';
export const TABLE_END = '<!-- cost-model:end -->';

export function costTables(stages: Readonly<Record<string, StageCost>>): string {
  const used = new Set<PriceName>();
  const parts: string[] = [];
  for (const [stage, cost] of Object.entries(stages)) {
    parts.push(
      `### ${stage}`,
      '',
      '| Service | Billed per month | × price | = USD/month |',
      '|---|---|---|---:|',
    );
    for (const line of cost.lines) {
      used.add(line.price);
      const price = PRICES[line.price];
      const mark = MARK[price.seen];
      parts.push(
        `| ${line.service} | ${quantity(line.quantity)} ${line.item} | $${price.usd} / ${price.unit}${mark} | ${dollars(line.usd)} |`,
      );
    }
    parts.push(`| **Total** | | | **${dollars(cost.totalUsd)}** |`, '');
    for (const note of cost.notes) parts.push(`- ${note}`);
    parts.push('');
  }
  parts.push(
    `### Prices (${PRICE_REGION}, read ${PRICES_READ_ON})`,
    '',
    '| Price | Unit | Source |',
    '|---|---|---|',
  );
  for (const name of Object.keys(PRICES) as PriceName[]) {
    if (!used.has(name)) continue;
    const price = PRICES[name];
    const mark = MARK[price.seen];
    parts.push(`| $${price.usd} | ${price.unit} | ${price.source}${mark} |`);
  }
  parts.push(
    '',
    "† not shown in the stored copy of AWS's own pricing page (its tables are rendered by script): taken from the " +
      "third-party page named, which may be out of date. ‡ not found in any stored page: AWS's list price as last " +
      "known, unverified. Check both kinds on AWS's page or in the AWS Pricing Calculator before relying on them.",
  );
  return [TABLE_START, '', ...parts, TABLE_END].join('\n');
}

const MARK: Readonly<Record<Price['seen'], string>> = { aws: '', 'third-party': ' †', nowhere: ' ‡' };

function quantity(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function dollars(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
