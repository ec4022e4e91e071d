'use strict';
/*
 * Runs in a fresh `node` process, started by cold-init.ts: loads the consumer bundle the way Lambda's
 * runtime does (require for .js, import for .mjs), serves one batch, and writes its timings as JSON on
 * file descriptor 3 (stdout and stderr carry the handler's own logs). Plain JavaScript on purpose: a
 * TypeScript loader would add its own start-up to the figure.
 */
const { readFileSync, writeSync } = require('node:fs');
const { pathToFileURL } = require('node:url');

const [bundleFile, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const TIMEOUT_MILLIS = 60000;
const invokedAt = Date.now();
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: 'cold-init-probe',
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'cold-init-probe',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => TIMEOUT_MILLIS - (Date.now() - invokedAt),
  done() {},
  fail() {},
  succeed() {},
};

async function main() {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const handlerModule = bundleFile.endsWith('.mjs')
    ? await import(pathToFileURL(bundleFile).href)
    : require(bundleFile);
  const loaded = performance.now();
  const response = await handlerModule.handler(event, context);
  const served = performance.now();
  const cpu = process.cpuUsage(cpuAtStart);
  writeSync(
    3,
    JSON.stringify({
      loadMillis: loaded - started,
      firstBatchMillis: served - loaded,
      totalMillis: served - started,
      // CPU time of the same span: on a shared machine, wall time also counts waiting for a core.
      cpuMillis: (cpu.user + cpu.system) / 1000,
      failures: response.batchItemFailures.length,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    writeSync(3, JSON.stringify({ error: String((error && error.stack) || error) }));
    process.exit(1);
  },
);
