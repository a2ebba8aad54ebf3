// Which package may import which: the architecture's one written rule, checked by
// test/architecture.test.ts against every source file's imports, each package.json and the
// README's table. A package further down the pipeline (capture → writer → store → remote →
// sync) never imports one further up; nothing imports cli.
//
// `may`: workspace packages (without the @bird/ scope) and npm packages, in the README's order.
// `through`: a package it may import only by that entry point (capture must not load all of the
// store, which loads DuckDB: it writes through `@bird/store/append` alone).
export const PACKAGE_RULES: Record<string, { readonly may: readonly string[]; readonly through?: Readonly<Record<string, string>> }> = {
  core: { may: ['smol-toml'] },
  'writer-parquet': { may: ['core', 'hyparquet-writer'] },
  'writer-duckdb': { may: ['core', 'writer-parquet', '@duckdb/node-api'] },
  'history-index': { may: ['core'] },
  capture: { may: ['core', 'history-index', 'store'], through: { store: '@bird/store/append' } },
  remote: { may: ['core', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'] },
  store: { may: ['core', 'remote', 'history-index', 'writer-parquet', 'writer-duckdb', '@duckdb/node-api', '@duckdb/node-bindings', '@aws-sdk/client-s3', 'hyparquet'] },
  import: { may: ['core', 'store', 'sql.js'] },
  'sync-worker': { may: ['core', 'store', 'remote', '@duckdb/node-api', 'p-queue', 'cli-progress'] },
  cli: { may: ['core', 'capture', 'history-index', 'import', 'remote', 'store', 'sync-worker', '@duckdb/node-api', '@aws-sdk/client-s3', 'sql.js'] },
};
