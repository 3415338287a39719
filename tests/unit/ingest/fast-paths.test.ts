import * as assert from "assert";
import * as fc from "fast-check";
import { isUtf8, utf8TextOf } from "../../../runtime/common/encoding";
import { DatasetDefinition, ScalarField } from "../../../runtime/datasets/types";
import { lowerAscii, trimAscii, upperAscii } from "../../../runtime/ingest/rules";
import { compileValidator } from "../../../runtime/ingest/validate";
import { testDataset } from "../../helpers/ingest/datasets";
import { interpretValidator } from "../../helpers/ingest/referenceValidator";

/**
 * The hot path takes shortcuts (character loops instead of regular expressions, arithmetic
 * instead of a number's text); each must give exactly what the plain definition gives. The
 * definitions here are the specification the shortcuts are checked against.
 */

/** Characters that exercise every branch: ASCII whitespace, both cases, non-ASCII letters that re-case into ASCII. */
const trickyText = fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "a", "z", "A", "Z", "0", "-", "ı", "ſ", "ﬀ", "é", "É", "😀") });

describe("ASCII normalisation shortcuts", () => {
    it("trims exactly the ASCII whitespace a regular expression trims, and keeps the same string when there is none", () => {
        fc.assert(
            fc.property(trickyText, (text) => {
                assert.strictEqual(trimAscii(text), text.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, ""));
            }),
            { numRuns: 5000 },
        );
        const clean = "ORD-1";
        assert.strictEqual(trimAscii(clean), clean);
    });

    it("re-cases exactly the ASCII letters, keeping every other character as received", () => {
        fc.assert(
            fc.property(trickyText, (text) => {
                assert.strictEqual(upperAscii(text), text.replace(/[a-z]+/g, (run) => run.toUpperCase()));
                assert.strictEqual(lowerAscii(text), text.replace(/[A-Z]+/g, (run) => run.toLowerCase()));
            }),
            { numRuns: 5000 },
        );
    });
});

describe("reading bytes as UTF-8 text", () => {
    /** Bytes around every kind of ill-formed UTF-8: lone continuation bytes, overlong forms, surrogates, values above U+10FFFF, truncation. */
    const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.constantFrom([0x41], [0x7b, 0x22], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0xef, 0xbf, 0xbd], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]), { maxLength: 12 }).map((parts) => Uint8Array.from(parts.flat())),
    );

    it("gives the text exactly when the bytes are well-formed UTF-8, including a U+FFFD that was sent", () => {
        fc.assert(
            fc.property(bytes, (array) => {
                const buffer = Buffer.from(array);
                assert.strictEqual(utf8TextOf(buffer), isUtf8(buffer) ? buffer.toString("utf8") : undefined);
            }),
            { numRuns: 20_000 },
        );
    });
});

/** A dataset with one optional decimal field for each precision and scale the arithmetic check covers, and two it does not. */
function decimalsDataset(): DatasetDefinition {
    const fields: ScalarField[] = [];
    for (let precision = 1; precision <= 16; precision += 1) {
        for (let scale = 0; scale <= Math.min(precision, 8); scale += 1) {
            fields.push({ name: `d_${precision}_${scale}`, type: "decimal", precision, scale, description: `decimal(${precision},${scale})` });
        }
    }
    fields.push({ name: "wide", type: "decimal", precision: 20, scale: 4, description: "decimal(20,4), checked by its text" });
    fields.push({ name: "at", type: "timestamp", description: "Event time", required: true });
    return testDataset({ name: "decimals", version: 1, description: "Decimals of every width", fields, key: ["at"], eventTimeField: "at" });
}

describe("the arithmetic check of decimals given as JSON numbers", () => {
    const dataset = decimalsDataset();
    const compiled = compileValidator(dataset);
    const reference = interpretValidator(dataset);
    /** Numbers near every boundary: digit counts around each scale, powers of ten around each precision, and any double. */
    const numbers = fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: -1e16, max: 1e16, noNaN: true }),
        fc.tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 17 })).map(([n, digits]) => n / 10 ** digits),
        fc.tuple(fc.integer({ min: 0, max: 16 }), fc.constantFrom(0, -0.5, 0.5, -1e-9, 1e-9, -1, 1)).map(([power, delta]) => 10 ** power + delta),
        fc.constantFrom(-0, 0.1 + 0.2, 5e-324, -5e-324, 1e21, 2 ** 53, 999999999999.99, 9999999999.995, 0.005, 1.005),
    );

    it("accepts, stores and rejects (with the same messages) exactly as the check of the number's text does, for every precision and scale", () => {
        fc.assert(
            fc.property(numbers, fc.boolean(), (value, negate) => {
                const number = negate ? -value : value;
                const document: Record<string, unknown> = { at: "2024-05-01T10:00:00Z" };
                for (const field of dataset.fields) {
                    if (field.type === "decimal") {
                        document[field.name] = number;
                    }
                }
                const actual = compiled.validate(document, { referenceTimeMs: null });
                const expected = reference.validate(document, { referenceTimeMs: null });
                assert.deepStrictEqual(actual, expected);
                if (actual.ok && expected.ok) {
                    // deepStrictEqual treats -0 and 0 alike; the stored text must not differ.
                    assert.strictEqual(JSON.stringify(actual.record), JSON.stringify(expected.record));
                    assert.ok(Object.values(actual.record).every((stored) => !Object.is(stored, -0)), "-0 is stored as 0");
                }
            }),
            { numRuns: 2_000 },
        );
    });
});
