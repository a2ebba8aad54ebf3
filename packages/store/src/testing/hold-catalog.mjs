// A separate process holding bird.duckdb, for the lock and kill -9 tests.
// usage: node hold-catalog.mjs <catalog> read_only|read_write <holdMs|forever>
import { DuckDBInstance } from '@duckdb/node-api';

const [catalog, access, hold] = process.argv.slice(2);
const instance = await DuckDBInstance.create(catalog, access === 'read_only' ? { access_mode: 'READ_ONLY' } : {});
const connection = await instance.connect();
await connection.runAndReadAll('SELECT count(*) FROM main.invocations');
process.stdout.write('ready\n');
if (hold === 'forever') {
  // A `bird sql`-style reader that keeps querying until it is killed.
  for (;;) await connection.runAndReadAll('SELECT cmd, count(*) FROM main.invocations GROUP BY cmd');
} else {
  setTimeout(() => {
    connection.closeSync();
    instance.closeSync();
    process.exit(0);
  }, Number(hold));
}
