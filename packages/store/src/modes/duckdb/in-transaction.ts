// One transaction on bird.duckdb: every statement of `body` commits together, or none does.
import type { DuckDBConnection } from '@duckdb/node-api';

export async function inTransaction<T>(connection: DuckDBConnection, body: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await body();
    await connection.run('COMMIT');
  } catch (error) {
    // A failed statement may have ended the transaction already: the statement's error is the one to report.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return result;
}
