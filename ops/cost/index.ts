export { countsFromTemplate, ratePerHour } from './template-counts';
export type { CfnTemplate, StreamConsumerCounts, TemplateCounts } from './template-counts';
export {
  breakerWritesPerSecond,
  quarantineViewReadsPerSecond,
  consumerInvocationsPerSecond,
  DEFAULT_WORKLOAD,
  HOURS_PER_MONTH,
  monthlyCost,
} from './monthly-cost';
export type { CostLine, StageCost, Workload } from './monthly-cost';
export { costTables, TABLE_END, TABLE_START } from './cost-table';
export { PRICE_REGION, PRICES, PRICES_READ_ON } from './prices';
export type { Price, PriceName } from './prices';
