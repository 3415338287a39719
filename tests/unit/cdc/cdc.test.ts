import * as assert from "assert";
import * as zlib from "zlib";
import { changeSeq, DmsChangeRow, dmsTimestamp, lsnToBigInt, parseDmsCsv, renderDmsCsv } from "../../../runtime/cdc/dms";
import { CdcError } from "../../../runtime/cdc/errors";
import { cdcObjectName, landChangeFile } from "../../../runtime/cdc/land";
import { checkColumnType } from "../../../runtime/cdc/postgresCapture";
import { parseTestDecodingLine } from "../../../runtime/cdc/testDecoding";
import { createMemoryObjectStore } from "../../../runtime/common/memoryObjectStore";
import { customers } from "../../../runtime/datasets";

const row = (op: "I" | "U" | "D", id: string, values: Record<string, string | null> = {}, seq = 1): DmsChangeRow => ({
    op,
    commitTimestamp: "2026-12-06 01:02:03.456789",
    changeSeq: changeSeq(100n, seq),
    values: { id, name: "Ann", email: "a@example.com", country: "IE", segment: "consumer", created_at: "2026-12-06 00:00:00.000000", updated_at: "2026-12-06 01:00:00.000000", ...values },
});
const columns = ["id", "name", "email", "country", "segment", "created_at", "updated_at"];

describe("cdc: DMS change files", () => {
    it("round-trips quotes, commas, line breaks, NULL and the text \\N", () => {
        const rows = [row("I", "CUST-00000001", { name: 'O\'Neil, "Jr"\nline', email: null, country: "\\N" })];
        const parsed = parseDmsCsv(renderDmsCsv(columns, rows), "f.csv");
        assert.deepStrictEqual(parsed.broken, []);
        assert.deepStrictEqual(parsed.rows[0]?.row.values, rows[0]?.values);
    });

    it("refuses a file without the configured header columns, naming the setting to fix", () => {
        assert.throws(() => parseDmsCsv("I,CUST-1\n", "a/b/c.csv"), (e: unknown) => e instanceof CdcError && /header has no 'Op' column .* IncludeOpForFullLoad/.test(e.message));
    });

    it("reports a row with an unknown operation as broken and keeps the others", () => {
        const text = renderDmsCsv(columns, [row("I", "CUST-00000001")]).replace(/\n$/, "\nX,2026-12-06 01:02:03.000000,CUST-2,a,b,c,d,e,f,1\n");
        const parsed = parseDmsCsv(text, "f.csv");
        assert.strictEqual(parsed.rows.length, 1);
        assert.deepStrictEqual(parsed.broken.map((b) => [b.line, b.reason]), [[3, "Op is 'X'; expected I, U or D"]]);
    });

    it("orders changes by log position, then position in the transaction", () => {
        assert.ok(changeSeq(lsnToBigInt("0/1924BA0"), 2) < changeSeq(lsnToBigInt("0/1924C58"), 1));
        assert.strictEqual(changeSeq(1n, 1).length, 35);
        assert.strictEqual(dmsTimestamp("2026-12-06 03:00:00.5+02"), "2026-12-06 01:00:00.500000");
    });
});

describe("cdc: test_decoding lines", () => {
    it("reads a primary-key update with its old key and new tuple", () => {
        const line = parseTestDecodingLine("table public.customers: UPDATE: old-key: id[text]:'CUST-1' new-tuple: id[text]:'CUST-2' name[text]:'O''Brien x' email[text]:null created_at[timestamp with time zone]:'2026-12-06 01:00:00+00'");
        assert.deepStrictEqual(line, {
            kind: "change",
            schema: "public",
            table: "customers",
            action: "UPDATE",
            old: [{ name: "id", type: "text", value: "CUST-1" }],
            new: [
                { name: "id", type: "text", value: "CUST-2" },
                { name: "name", type: "text", value: "O'Brien x" },
                { name: "email", type: "text", value: null },
                { name: "created_at", type: "timestamp with time zone", value: "2026-12-06 01:00:00+00" },
            ],
        });
        assert.deepStrictEqual(parseTestDecodingLine("COMMIT 7 (at 2026-12-06 01:00:00.1+00)"), { kind: "commit", xid: "7", commitTime: "2026-12-06 01:00:00.1+00" });
    });

    it("stops on a type change of a captured column, naming table, column, both types and the fix", () => {
        const table = { schema: "public", table: "customers", dataset: customers };
        assert.doesNotThrow(() => checkColumnType(table, "loyalty_tier", "integer"), "undeclared columns are carried, not judged");
        assert.throws(
            () => checkColumnType(table, "created_at", "text"),
            (e: unknown) => e instanceof CdcError && e.message.startsWith("table public.customers, column 'created_at': dataset 'customers' declares timestamp") && /the source now has 'text'; revert/.test(e.message),
        );
    });
});

describe("cdc: landing a change file", () => {
    const setup = async (rows: DmsChangeRow[], extra: string[] = []) => {
        const store = createMemoryObjectStore();
        const key = "_dms/public/customers/20261206-010203456-00000000000000000100.csv";
        await store.putObject({ bucket: "raw", key, body: Buffer.from(renderDmsCsv([...columns, ...extra], rows)) });
        return { store, key, targets: { store, rawBucket: "raw", rejectsBucket: "rejects" } };
    };

    it("lands valid rows, rejects invalid ones with reasons, and the counts add up", async () => {
        const { store, key, targets } = await setup([row("I", "CUST-00000001"), row("U", "CUST-00000001", { email: "not-an-email" }, 2), row("D", "CUST-00000002", { name: null, segment: null, created_at: null, updated_at: null }, 3)]);
        const result = await landChangeFile(customers, "raw", key, targets);
        assert.deepStrictEqual([result.rowsIn, result.landed, result.rejected], [3, 2, 1]);
        const rawKey = `customers/dt=2026-12-06/hour=01/${cdcObjectName(key)}.ndjson.gz`;
        const lines = zlib.gunzipSync(Buffer.from((await store.getObject("raw", rawKey)) as Uint8Array)).toString().trim().split("\n").map((l) => JSON.parse(l));
        assert.deepStrictEqual(lines.map((l) => [l.id, l.cdc_op, l.cdc_commit_ts]), [["CUST-00000001", "I", "2026-12-06T01:02:03.456789Z"], ["CUST-00000002", "D", "2026-12-06T01:02:03.456789Z"]]);
        assert.strictEqual(lines[0].created_at, "2026-12-06T00:00:00.000Z");
        const rejectKeys = await store.listKeys("rejects", "");
        assert.deepStrictEqual(rejectKeys, [`customers/error_type=pattern_mismatch/dt=2026-12-06/hour=01/${cdcObjectName(key)}.ndjson.gz`]);
        const reject = JSON.parse(zlib.gunzipSync(Buffer.from((await store.getObject("rejects", rejectKeys[0] as string)) as Uint8Array)).toString());
        assert.deepStrictEqual([reject.field, reject.source], ["email", `${key}#3`]);
    });

    it("landing the same file again writes nothing new", async () => {
        const { store, key, targets } = await setup([row("I", "CUST-00000001")]);
        await landChangeFile(customers, "raw", key, targets);
        const again = await landChangeFile(customers, "raw", key, targets);
        assert.deepStrictEqual(again.objects.map((o) => o.status), ["present"]);
        assert.strictEqual((await store.listKeys("raw", "customers/")).length, 1);
    });

    it("reports source columns the dataset does not declare and leaves them out", async () => {
        const { key, targets } = await setup([{ ...row("I", "CUST-00000001"), values: { ...row("I", "CUST-00000001").values, loyalty_tier: "gold" } }], ["loyalty_tier"]);
        const result = await landChangeFile(customers, "raw", key, targets);
        assert.deepStrictEqual([result.landed, result.undeclaredColumns], [1, ["loyalty_tier"]]);
    });

    it("refuses a file without the dataset's key column, naming it and the fix", async () => {
        const store = createMemoryObjectStore();
        await store.putObject({ bucket: "raw", key: "_dms/public/other/x.csv", body: Buffer.from("Op,dms_commit_ts,code,dms_change_seq\nI,2026-12-06 01:00:00.000000,a,1\n") });
        await assert.rejects(landChangeFile(customers, "raw", "_dms/public/other/x.csv", { store, rawBucket: "raw", rejectsBucket: "rejects" }), /has no key column\(s\) id of dataset 'customers'.*map the table to the right dataset/);
    });
});
