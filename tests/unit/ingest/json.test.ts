import * as assert from "assert";
import * as fc from "fast-check";
import { orders } from "../../../runtime/datasets";
import { decodeMskEvent } from "../../../runtime/ingest/decode";
import { maxJsonDepth, parseJsonObject } from "../../../runtime/ingest/json";
import { canonicalDecimal, decimalTextOfNumber, expandExponent } from "../../../runtime/ingest/rules";
import { classifyRecord, RejectLine } from "../../../runtime/ingest/classify";
import { compileValidator } from "../../../runtime/ingest/validate";
import { mskEvent, validOrder } from "../../helpers/ingest/events";

const validator = compileValidator(orders);
const classify = (payload: string, timestamp?: number) =>
    classifyRecord(decodeMskEvent(mskEvent([{ offset: 1, value: payload, ...(timestamp !== undefined ? { timestamp } : {}) }]), { maxRecordBytes: 1_000_000 })[0]!, validator);

describe("parsing a payload to a JSON object", () => {
    it("ignores a UTF-8 byte-order mark before the JSON: the order lands", () => {
        assert.strictEqual(classify(`\uFEFF${JSON.stringify(validOrder())}`).zone, "raw");
        const parsed = parseJsonObject(`\uFEFF{"a":1}`);
        assert.deepStrictEqual("document" in parsed && parsed.document, { a: 1 });
    });

    it("rejects a repeated member name as not_json, naming it, at any level and with escapes", () => {
        for (const [text, name] of [
            ['{"a":1,"b":2,"a":3}', "a"],
            ['{"x":{"k":"v\\"","k":"w"}}', "k"],
            ['{"l":[{"q":1},{"q":1,"\\u0071":2}]}', "q"],
        ] as const) {
            const parsed = parseJsonObject(text);
            assert.ok("violation" in parsed, text);
            assert.deepStrictEqual([parsed.violation.errorType, parsed.violation.rule], ["not_json", "duplicateKey"]);
            assert.match(parsed.violation.message, new RegExp(`found "${name}" more than once`));
        }
        const line = JSON.parse(classify(JSON.stringify(validOrder()).replace('"amount":31.5', '"amount":31.5,"amount":99')).line) as RejectLine;
        assert.deepStrictEqual([line.error_type, line.rule], ["not_json", "duplicateKey"]);
    });

    it("rejects nesting deeper than the limit as not_json with a reason, at any depth, without a stack overflow", () => {
        for (const depth of [maxJsonDepth + 1, 100_000]) {
            const text = `{"customer_id":${"[".repeat(depth)}1${"]".repeat(depth)}}`;
            const parsed = parseJsonObject(text);
            assert.ok("violation" in parsed && parsed.violation.rule === "maxDepth", String(depth));
            const line = JSON.parse(classify(text).line) as RejectLine;
            assert.deepStrictEqual([line.error_type, line.rule], ["not_json", "maxDepth"]);
        }
        assert.ok("document" in parseJsonObject(`{"a":${"[".repeat(maxJsonDepth - 1)}${"]".repeat(maxJsonDepth - 1)}}`));
    });

    it("rejects a number with more significant digits than a double holds as decimal_precision, naming its field; numbers a double holds pass however long", () => {
        const order = JSON.stringify(validOrder());
        for (const [text, field, token] of [
            [order.replace('"amount":31.5', '"amount":31.500000000000001'), "amount", "31.500000000000001"],
            [order.replace('"unit_price":11}', '"unit_price":10.999999999999999999}'), "line_items[1].unit_price", "10.999999999999999999"],
            [order.replace('"amount":31.5', '"amount":3150000000000000000001e-20'), "amount", "3150000000000000000001e-20"],
        ] as const) {
            const line = JSON.parse(classify(text).line) as RejectLine;
            assert.deepStrictEqual([line.error_type, line.rule, line.field], ["decimal_precision", "exactNumber", field], text);
            assert.match(line.message, new RegExp(`found ${token.replace(".", "\\.")}, which every reader rounds to`));
        }
        for (const exact of ["0.30000000000000004", "1234567890123456", "123456789012345690000000.0", "1e21", "-0.000000000000000123"]) {
            assert.ok("document" in parseJsonObject(`{"x":${exact},"s":"31.500000000000001"}`), exact);
        }
        // A long id above 2^53 would change: rejected, not stored as its neighbour.
        const parsed = parseJsonObject('{"ids":[1,9007199254740993]}');
        assert.ok("violation" in parsed && parsed.violation.field === "ids[1]");
    });

    it("finds a number a double does not hold wherever the text puts it: after any whitespace, in arrays and objects, next to long digit runs in strings", () => {
        const whitespace = fc.stringMatching(/^[ \t\n\r]{0,2}$/);
        // Mantissas of 14 to 20 digits, with or without a point and an exponent: some held exactly by a double, most not.
        const token = fc
            .tuple(fc.boolean(), fc.stringMatching(/^[1-9][0-9]{13,19}$/), fc.integer({ min: 1, max: 20 }), fc.constantFrom("", "e2", "E-3"))
            .map(([negative, digits, point, exponent]) => `${negative ? "-" : ""}${point >= digits.length ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`}${exponent}`);
        // What the parse step promises: a token with more than 15 significant digits that does not read back as itself.
        const heldInexactly = (text: string) => {
            const significant = text.replace(/^-/, "").replace(/[eE].*$/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
            return significant.length > 15 && canonicalDecimal(expandExponent(text)) !== canonicalDecimal(decimalTextOfNumber(Number(text)));
        };
        fc.assert(
            fc.property(fc.array(fc.tuple(token, whitespace, whitespace, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.boolean(), (values, escaped) => {
                const members = values.map(([number, before, after, inArray], i) => `"k${i}":${before}${inArray ? `[${after}${number}${after}]` : number}${after}`);
                // An escaped quote makes the quotes' parity useless, which the scan must notice.
                const text = `{"s":"${escaped ? '\\":' : ""}12345678901234567890.5",${members.join(",")}}`;
                const parsed = parseJsonObject(text);
                const first = values.findIndex(([number]) => heldInexactly(number));
                if (first < 0) {
                    assert.ok("document" in parsed, text);
                } else {
                    assert.ok("violation" in parsed && parsed.violation.rule === "exactNumber" && parsed.violation.field.startsWith(`k${first}`), text);
                }
            }),
            { numRuns: 2000 },
        );
    });

    it("agrees with JSON.parse on every object without repeated names, escapes and BOM included", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 5 })), fc.boolean(), (object, bom) => {
                const text = (bom ? "\uFEFF" : "") + JSON.stringify(object);
                const parsed = parseJsonObject(text);
                assert.ok("document" in parsed, text);
                assert.deepStrictEqual(parsed.document, JSON.parse(JSON.stringify(object)));
            }),
            { numRuns: 500 },
        );
    });

    it("skips the future-time check for a Kafka record without a timestamp (-1): the stream gives no reference, and the function's clock would judge a redelivery differently", () => {
        const classification = classify(JSON.stringify(validOrder({ event_time: "2030-01-01T00:00:00Z" })), -1);
        assert.strictEqual(classification.zone, "raw");
        assert.strictEqual(JSON.parse(classification.line)._ingest.ingest_time, null);
    });
});
