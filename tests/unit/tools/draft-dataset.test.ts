import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { promisify } from "util";
import * as vm from "vm";
import { checkDatasetDefinition } from "../../../runtime/datasets";
import { DatasetDefinition } from "../../../runtime/datasets/types";
import { draftDataset, DraftDatasetError, GlueTable, tableOf } from "../../../tools/draft-dataset";

const root = path.resolve(__dirname, "..", "..", "..");
const fixture = path.join(root, "tests", "fixtures", "glue", "partner_returns.get-table.json");
const crawled = () => JSON.parse(fs.readFileSync(fixture, "utf8"));
const table = () => tableOf(crawled());

/** Compiles the generated module as TypeScript (type errors included) and returns its export. */
function compile(source: string, exportName: string): DatasetDefinition {
    const dir = fs.mkdtempSync(path.join(root, "runtime", "datasets", ".draft-"));
    try {
        const file = path.join(dir, "draft.ts");
        fs.writeFileSync(file, source.replace('from "./types"', 'from "../types"'));
        const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        assert.deepStrictEqual(diagnostics, []);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    vm.runInNewContext(js, { module, exports: module.exports, require: () => ({}) });
    return module.exports[exportName] as DatasetDefinition;
}

describe("draft-dataset: a crawled Glue table as a draft dataset definition", () => {
    it("maps every crawled column to a field of the matching type, key and event time required", () => {
        const { definition } = draftDataset(table(), { key: ["return_id"] });
        assert.deepStrictEqual(
            definition.fields.map((f) => [f.name, f.type, f.required ?? false]),
            [
                ["return_id", "string", true],
                ["store_id", "string", false],
                ["sku", "string", false],
                ["quantity", "long", false],
                ["refund", "decimal", false],
                ["restocked", "boolean", false],
                ["returned_at", "timestamp", true],
                ["lines", "array", false],
            ],
        );
        const refund = definition.fields.find((f) => f.name === "refund");
        assert.deepStrictEqual(refund && refund.type === "decimal" ? [refund.precision, refund.scale] : undefined, [10, 2]);
        const sku = definition.fields.find((f) => f.name === "sku");
        assert.deepStrictEqual(sku && sku.type === "string" ? sku.rules : undefined, { maxLength: 32 });
        const lines = definition.fields.find((f) => f.name === "lines");
        assert.deepStrictEqual(lines?.type === "array" ? lines.items.map((i) => [i.name, i.type]) : undefined, [["reason", "string"], ["units", "int"]]);
    });

    it("picks the only timestamp column as the event time, a file source, and safe defaults to review", () => {
        const { definition } = draftDataset(table(), { key: ["return_id"] });
        assert.deepStrictEqual(
            [definition.eventTimeField, definition.source, definition.classification, definition.key, definition.warehouse],
            ["returned_at", "file", "confidential", ["return_id"], { distStyle: "AUTO", sortKeys: ["returned_at"] }],
        );
        assert.deepStrictEqual(definition.quality.map((q) => q.kind), ["rowCount", "uniqueness"]);
    });

    it("writes TypeScript in the style of runtime/datasets that compiles against DatasetDefinition and passes the dataset checks", () => {
        const { source, definition } = draftDataset(table(), { key: ["return_id"], name: "returns" });
        assert.match(source, /^import \{ DatasetDefinition \} from "\.\/types";/);
        assert.match(source, /export const returns: DatasetDefinition = \{/);
        assert.match(source, /partition columns \(partition_0\) come from folder names/);
        const compiled = compile(source, "returns");
        assert.deepStrictEqual(JSON.parse(JSON.stringify(compiled)), JSON.parse(JSON.stringify(definition)));
        checkDatasetDefinition(compiled);
    });

    it("accepts the bare Table member as well as the GetTable response", () => {
        assert.deepStrictEqual(tableOf(crawled().Table), table());
    });

    const refuses: [string, () => unknown, RegExp][] = [
        ["a document that is not a Glue table", () => tableOf({ TableList: [] }), /--table: expected the JSON of `aws glue get-table`.*found no Table.Name/],
        ["a table without columns", () => tableOf({ Table: { Name: "t", StorageDescriptor: { Columns: [] } } }), /table t has no StorageDescriptor.Columns.*crawl again/],
        ["no key", () => draftDataset(table(), { key: [] }), /--key: expected the column\(s\) that identify a record.*found none\. Fix: --key return_id/],
        ["a key column the table does not have", () => draftDataset(table(), { key: ["id"] }), /--key: expected scalar columns of partner_returns .*found id/],
        ["an event time that is not a timestamp", () => draftDataset(table(), { key: ["return_id"], eventTime: "store_id" }), /--event-time: expected .* one of returned_at; found store_id, which is not one of them/],
        [
            "a map column",
            () => draftDataset({ ...table(), StorageDescriptor: { Columns: [...table().StorageDescriptor.Columns, { Name: "attributes", Type: "map<string,string>" }] } } as GlueTable, { key: ["return_id"] }),
            /column attributes: expected a scalar Glue type .*found map<string,string>\. Fix: flatten it/,
        ],
        [
            "a column name that is not lower snake case",
            () => draftDataset({ ...table(), StorageDescriptor: { Columns: [{ Name: "Return ID", Type: "string" }] } } as GlueTable, { key: ["Return ID"] }),
            /column "Return ID": expected a lower snake case name/,
        ],
        ["a dataset name that is not lower snake case", () => draftDataset(table(), { key: ["return_id"], name: "Returns" }), /--name: expected a lower snake case dataset name .*found "Returns"/],
    ];
    for (const [what, act, message] of refuses) {
        it(`refuses ${what} with a message naming the input and the fix`, () => {
            assert.throws(act, (error: Error) => error instanceof DraftDatasetError && message.test(error.message));
        });
    }

    it("as a command: writes the draft to --out, and exits 2 with the message on a bad --table", async () => {
        const run = promisify(execFile);
        const tsNode = path.join(root, "node_modules", ".bin", "ts-node");
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "draft-")), "returns.ts");
        await run(tsNode, ["--transpile-only", "tools/draft-dataset.ts", "--table", fixture, "--key", "return_id", "--out", out], { cwd: root });
        assert.match(fs.readFileSync(out, "utf8"), /export const partnerReturns: DatasetDefinition/);
        await assert.rejects(run(tsNode, ["--transpile-only", "tools/draft-dataset.ts", "--table", "/nonexistent.json", "--key", "a"], { cwd: root }), (error: { code: number; stderr: string }) => {
            assert.strictEqual(error.code, 2);
            assert.match(error.stderr, /^draft-dataset: --table: expected a readable file/);
            return true;
        });
    });
});
