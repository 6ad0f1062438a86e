// DuckDB as a benchmark peer: the strongest generic engine (vectorised, all cores, exact
// decimals), given the same files as budgetkit. Each mode does the generic half of a budgetkit
// job: parse the input and write it in the other format, or sum the cells exactly.
//   node tools/bench/node/duckdb_peer.mjs csv2json IN.csv OUT.json   line-item CSV → JSON records (text kept)
//   node tools/bench/node/duckdb_peer.mjs json2csv IN.json OUT.csv   documents → CSV (nested parts as text)
//   node tools/bench/node/duckdb_peer.mjs sums IN.csv OUT.json       Σ value per unit, table, column, DECIMAL(38,6)
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, input, output] = process.argv.slice(2);
const quote = (s) => `'${String(s).replaceAll("'", "''")}'`;
const csv = `read_csv(${quote(input)}, all_varchar = true, header = true)`;
const queries = {
    csv2json: `COPY (SELECT * FROM ${csv}) TO ${quote(output)} (FORMAT json)`,
    json2csv: `COPY (SELECT * FROM read_json(${quote(input)}, maximum_object_size = 1073741824))
               TO ${quote(output)} (FORMAT csv)`,
    sums: `COPY (SELECT unit, "table", "column", sum(TRY_CAST(NULLIF(value, '') AS DECIMAL(38, 6))) AS total
                 FROM ${csv} WHERE record = 'cell' GROUP BY ALL ORDER BY ALL)
           TO ${quote(output)} (FORMAT json)`,
};
if (!queries[mode] || !input || !output) {
    console.error('usage: node tools/bench/node/duckdb_peer.mjs csv2json|json2csv|sums IN OUT');
    process.exit(2);
}
try {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run(queries[mode]);
} catch (e) {
    console.error(`duckdb_peer: ${e.message}`);
    process.exit(1);
}
