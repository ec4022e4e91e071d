import { okFetch } from './noop-fetch';
import { buildOurConsumer } from './our-consumer';
import { buildPowertoolsConsumer } from './powertools-consumer';
import { startPipelineFixture } from './pipeline-fixture';
import { benchmarkBatch } from './records';
import { withHandlerOutputDiscarded } from './discard-output';
void (async () => {
  const f = await startPipelineFixture();
  const side = process.argv[2];
  const size = Number(process.argv[3] ?? 1000);
  const handle =
    side === 'ours'
      ? buildOurConsumer(f, { fetch: okFetch, breakerName: 'p' }).handle
      : buildPowertoolsConsumer(f.settings, okFetch, side === 'obs');
  const event = benchmarkBatch(size);
  await withHandlerOutputDiscarded(async () => {
    for (let i = 0; i < 50000 / size; i++) await handle(event);
  });
  const t = performance.now();
  const c = process.cpuUsage();
  await withHandlerOutputDiscarded(async () => {
    for (let i = 0; i < 300000 / size; i++) await handle(event);
  });
  const cpu = process.cpuUsage(c);
  console.log(
    side,
    'us/record wall',
    (((performance.now() - t) * 1000) / 300000).toFixed(2),
    'cpu',
    ((cpu.user + cpu.system) / 300000).toFixed(2),
  );
  await f.stop();
  process.exit(0);
})();
