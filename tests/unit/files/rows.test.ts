import * as assert from "assert";
import { Readable } from "stream";
import { storeInventory } from "../../../runtime/datasets";
import { detectFormat } from "../../../runtime/files/detect";
import { UnreadableFileError } from "../../../runtime/files/errors";
import { csvRows, csvValue, jsonLinesRows, ParsedRow, parquetRows } from "../../../runtime/files/rows";
import { bom, gzip, parquetOf } from "./fixtures";

/** Streams text in 5-byte pieces, so quotes, CRLF pairs and the BOM straddle chunk boundaries. */
function streamOf(text: string): Readable {
    const bytes = Buffer.from(text, "utf8");
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 5) {
        pieces.push(bytes.subarray(i, i + 5));
    }
    return Readable.from(pieces);
}

async function collect(rows: AsyncIterable<ParsedRow>): Promise<ParsedRow[]> {
    const out: ParsedRow[] = [];
    for await (const row of rows) {
        out.push(row);
    }
    return out;
}

async function unreadable(rows: AsyncIterable<ParsedRow>): Promise<UnreadableFileError> {
    try {
        await collect(rows);
    } catch (error) {
        assert.ok(error instanceof UnreadableFileError, String(error));
        return error;
    }
    assert.fail("expected an UnreadableFileError");
}

describe("file rows: CSV", () => {
    it("reads a header row, quoted fields with commas, doubled quotes and embedded newlines, CRLF and a byte-order mark", async () => {
        const text = `${bom}store_id,sku,on_hand,as_of\r\nS0001,"SKU-1",5,2026-12-01T00:00:00Z\r\n"S0002","SKU-""2""\r\nX",7,2026-12-01T00:00:00Z\r\n\r\nS0003,SKU-3,,2026-12-01T00:00:00Z\r\n`;
        const rows = await collect(csvRows(streamOf(text), storeInventory));
        assert.deepStrictEqual(
            rows.map((r) => [r.row, r.line, r.document]),
            [
                [1, 2, { store_id: "S0001", sku: "SKU-1", on_hand: 5, as_of: "2026-12-01T00:00:00Z" }],
                [2, 3, { store_id: "S0002", sku: 'SKU-"2"\r\nX', on_hand: 7, as_of: "2026-12-01T00:00:00Z" }],
                [3, 6, { store_id: "S0003", sku: "SKU-3", as_of: "2026-12-01T00:00:00Z" }],
            ],
        );
    });

    it("reads LF files with the columns in any order", async () => {
        const rows = await collect(csvRows(streamOf("as_of,on_hand,sku,store_id\n2026-12-01T00:00:00Z,1,A-11,S0001\n"), storeInventory));
        assert.deepStrictEqual(rows[0]?.document, { as_of: "2026-12-01T00:00:00Z", on_hand: 1, sku: "A-11", store_id: "S0001" });
    });

    it("keeps a non-numeric quantity as text so the validator names it", () => {
        assert.strictEqual(csvValue(storeInventory.fields[2], "12"), 12);
        assert.strictEqual(csvValue(storeInventory.fields[2], "twelve"), "twelve");
        assert.strictEqual(csvValue(storeInventory.fields[2], ""), undefined);
    });

    it("turns a row with the wrong number of columns into a row problem, not a file failure", async () => {
        const rows = await collect(csvRows(streamOf("store_id,sku,on_hand,as_of\nS0001,A-11\nS0002,A-12,3,2026-12-01T00:00:00Z\n"), storeInventory));
        assert.strictEqual(rows[0]?.problem?.errorType, "malformed_row");
        assert.match(rows[0]?.problem?.message ?? "", /expected 4 columns .* found 2/);
        assert.strictEqual(rows[0]?.text, "S0001,A-11");
        assert.ok(rows[1]?.document);
    });

    it("rejects a header that does not match the dataset, naming the unknown and missing columns", async () => {
        const error = await unreadable(csvRows(streamOf("store,sku,on_hand,as_of,colour\nS0001,A-11,1,2026-12-01T00:00:00Z,red\n"), storeInventory));
        assert.strictEqual(error.reason, "header_mismatch");
        assert.match(error.message, /unknown column\(s\) 'store', 'colour'/);
        assert.match(error.message, /missing required column\(s\) 'store_id'/);
    });

    it("fails the whole file on a quote that never closes, with the line", async () => {
        const error = await unreadable(csvRows(streamOf('store_id,sku,on_hand,as_of\nS0001,"A-11,1,2026-12-01T00:00:00Z\nS0002,A-12,1,2026-12-01T00:00:00Z\n'), storeInventory));
        assert.strictEqual(error.reason, "malformed_file");
        assert.match(error.message, /CSV_QUOTE_NOT_CLOSED/);
    });

    it("fails a file without even a header", async () => {
        assert.strictEqual((await unreadable(csvRows(streamOf("\n\n"), storeInventory))).reason, "empty_file");
    });
});

describe("file rows: JSON Lines", () => {
    it("reads one object per line with CRLF, skips blank lines and keeps line numbers", async () => {
        const rows = await collect(jsonLinesRows(streamOf(`${bom}{"store_id":"S0001","on_hand":1}\r\n\r\n[1]\r\n{"bad json\r\n{"sku":"A-11"}`)));
        assert.deepStrictEqual(rows.map((r) => [r.row, r.line, r.problem?.errorType ?? "ok"]), [
            [1, 1, "ok"],
            [2, 3, "not_object"],
            [3, 4, "not_json"],
            [4, 5, "ok"],
        ]);
        assert.deepStrictEqual(rows[0]?.document, { store_id: "S0001", on_hand: 1 });
    });
});

describe("file rows: Parquet", () => {
    it("reads rows by ranged reads and converts timestamps to ISO text", async () => {
        const bytes = parquetOf([
            { store_id: "S0001", sku: "A-11", on_hand: 3, as_of: "2026-12-01T00:00:00Z" },
            { store_id: "S0002", sku: "A-12", on_hand: 4, as_of: "2026-12-01T01:00:00Z" },
        ]);
        const ranges: string[] = [];
        const rows = await collect(
            parquetRows(bytes.byteLength, async (start, end) => {
                ranges.push(`${start}-${end}`);
                return bytes.slice(start, end);
            }, storeInventory),
        );
        assert.deepStrictEqual(rows.map((r) => [r.row, r.document]), [
            [1, { store_id: "S0001", sku: "A-11", on_hand: 3, as_of: "2026-12-01T00:00:00.000Z" }],
            [2, { store_id: "S0002", sku: "A-12", on_hand: 4, as_of: "2026-12-01T01:00:00.000Z" }],
        ]);
        assert.ok(ranges.length > 0);
    });

    it("fails a file that is not Parquet inside", async () => {
        const bytes = new Uint8Array(Buffer.from("PAR1 but not really a parquet file PAR1"));
        assert.strictEqual((await unreadable(parquetRows(bytes.byteLength, async (s, e) => bytes.slice(s, e), storeInventory))).reason, "malformed_file");
    });
});

describe("file format detection", () => {
    const all = ["csv", "jsonl", "parquet"] as const;
    const text = new Uint8Array(Buffer.from("a,b\n"));
    it("takes the format from the extension and gzip from the name and the magic bytes", () => {
        assert.deepStrictEqual(detectFormat("in/a.csv", text, all), { format: "csv", gzip: false });
        assert.deepStrictEqual(detectFormat("in/a.CSV.gz", gzip("a,b\n"), all), { format: "csv", gzip: true });
        assert.deepStrictEqual(detectFormat("in/a.ndjson", text, all), { format: "jsonl", gzip: false });
        assert.deepStrictEqual(detectFormat("in/a.parquet", parquetOf([]), all), { format: "parquet", gzip: false });
        assert.deepStrictEqual(detectFormat("in/noext", parquetOf([]), all), { format: "parquet", gzip: false });
    });

    const cases: [string, Uint8Array, string, RegExp][] = [
        ["in/a.xlsx", text, "unknown_format", /cannot tell the format of 'in\/a.xlsx'/],
        ["in/a.csv.gz", text, "content_mismatch", /ends in .gz but is not gzip-compressed/],
        ["in/a.csv", gzip("a"), "content_mismatch", /add .gz to the name/],
        ["in/a.parquet", text, "content_mismatch", /PAR1/],
        ["in/a.csv", new Uint8Array(), "empty_file", /empty/],
    ];
    for (const [key, head, reason, message] of cases) {
        it(`quarantines ${key} (${reason})`, () => {
            assert.throws(() => detectFormat(key, head, all), (e: UnreadableFileError) => e.reason === reason && message.test(e.message));
        });
    }

    it("quarantines a format the drop does not accept, naming the accepted ones", () => {
        assert.throws(() => detectFormat("in/a.jsonl", text, ["csv"]), (e: UnreadableFileError) => e.reason === "format_not_allowed" && /expected one of csv/.test(e.message));
    });
});
