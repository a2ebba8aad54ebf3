/**
 * What the formatters print: the shape of the store's `QueryResult`, declared here so that
 * formatting (and its tests) never load the store or DuckDB.
 */
export interface ResultSet {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
