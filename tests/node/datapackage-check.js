// Opens a budget archive with the Frictionless Data Package library (an independent reader of
// the spec): the descriptor must be valid against the Data Package profile, every resource's
// data must be there with its declared size and SHA-256, and each tabular (CSV) resource must
// read under its Table Schema. Prints one line a resource: name, rows, fields, Table 7's grand
// total (the department row's "total" cell) and the first code, for the caller to check.
"use strict";
const crypto = require("crypto");
const path = require("path");
const { Package } = require(path.join(__dirname, "node_modules", "datapackage"));

(async () => {
  const pkg = await Package.load(process.argv[2]);
  if (!pkg.valid) {
    console.error("invalid descriptor:", pkg.errors.map(String).join("; "));
    process.exit(1);
  }
  const d = pkg.descriptor;
  console.log(`package ${d.name} title=${d.title} sources=${(d.sources || []).length} licenses=${(d.licenses || []).map(l => l.name).join(",")} created=${d.created || "-"}`);
  for (const r of pkg.resources) {
    if (!r.valid) {
      console.error(`resource ${r.name} invalid:`, r.errors.map(String).join("; "));
      process.exit(1);
    }
    const raw = await r.rawRead();
    const sha = "sha256:" + crypto.createHash("sha256").update(raw).digest("hex");
    if (raw.length !== r.descriptor.bytes || sha !== r.descriptor.hash) {
      console.error(`resource ${r.name}: ${raw.length} bytes ${sha}, the descriptor says ` +
                    `${r.descriptor.bytes} ${r.descriptor.hash}`);
      process.exit(1);
    }
    if (!r.tabular) {
      console.log(`resource ${r.name} ${r.descriptor.format} bytes=${raw.length} hash ok`);
      continue;
    }
    const fields = r.schema.fields.map(f => `${f.name}:${f.type}`).join(",");
    const rows = await r.read({ keyed: true });
    const total = rows.find(row => row.record === "cell" && row.table === "T07" &&
                                   row.kind === "unit" && row.unit === "dept" && row.column === "total");
    const code = rows.find(row => row.code && /^[0-9]+$/.test(row.code));
    console.log(`resource ${r.name} rows=${rows.length} fields=${fields} ` +
                `T07-total=${total ? JSON.stringify(total.value) : "-"} ` +
                `first-code=${code ? JSON.stringify(code.code) : "-"}`);
  }
})().catch(e => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});
