// Asset hashes differ between machines (paths, esbuild versions); mask them so snapshots are stable.
const ASSET_HASH = /[0-9a-f]{64}(\.zip|\.json)?/g;

expect.addSnapshotSerializer({
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  print: (value: unknown) => JSON.stringify((value as string).replace(ASSET_HASH, 'ASSET-HASH$1')),
});
