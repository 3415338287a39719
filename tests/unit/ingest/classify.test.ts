import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { classifyRecord, readRejectLine, sourceRecordOfRejectLine } from "../../../runtime/ingest/classify";
import { decodeMskEvent } from "../../../runtime/ingest/decode";
import { compileValidator } from "../../../runtime/ingest/validate";
import { mskEvent, validOrder } from "../../helpers/ingest/events";

const validator = compileValidator(orders);

describe("reject lines: one shape and one reader for ingest and replay", () => {
    const records = decodeMskEvent(
        mskEvent([
            { offset: 1, key: "ORD-1", value: validOrder({ quantity: -1 }), headers: { trace: "abc" } },
            { offset: 2, value: "{not json" },
            { offset: 3, key: null, value: null },
        ]),
        { maxRecordBytes: 10_000 },
    );

    it("reads back every reject line ingest renders, and rebuilds the record it was made from", () => {
        for (const record of records) {
            const classification = classifyRecord(record, validator);
            assert.strictEqual(classification.zone, "rejects");
            const read = readRejectLine(classification.line);
            assert.ok("line" in read, "problem" in read ? read.problem : "");
            const rebuilt = sourceRecordOfRejectLine(read.line, 10_000);
            assert.deepStrictEqual(rebuilt.coordinates, record.coordinates);
            assert.deepStrictEqual(rebuilt.key, record.key);
            assert.deepStrictEqual(rebuilt.value, record.value);
            assert.deepStrictEqual(rebuilt.headers, record.headers);
        }
    });

    it("names the field, what it expected and what it found for a line ingest did not write", () => {
        const line = JSON.parse(classifyRecord(records[0]!, validator).line) as Record<string, unknown>;
        const problem = (changes: Record<string, unknown>) => {
            const read = readRejectLine(JSON.stringify({ ...line, ...changes }));
            return "problem" in read ? read.problem : "read without a problem";
        };
        assert.strictEqual(problem({ engine: "msk" }), `field 'engine' must be kafka or kinesis, found "msk"`);
        assert.strictEqual(problem({ position: 7 }), "field 'position' must be a string, found 7");
        assert.strictEqual(problem({ payload_base64: "***" }), "field 'payload_base64' is not valid base64");
        assert.strictEqual(problem({ headers: "x" }), `field 'headers' must be an array of {key, value_base64} objects, found "x"`);
        assert.match((readRejectLine("[1]") as { problem: string }).problem, /expected a JSON object, found an array/);
    });
});
