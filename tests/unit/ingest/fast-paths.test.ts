import * as assert from "assert";
import * as fc from "fast-check";
import { isUtf8, utf8TextOf } from "../../../runtime/common/encoding";
import { DatasetDefinition, ScalarField } from "../../../runtime/datasets/types";
import { jsonString } from "../../../runtime/ingest/json";
import { checkCrossField, lowerAscii, trimAscii, upperAscii } from "../../../runtime/ingest/rules";
import { Violation } from "../../../runtime/ingest/types";
import { parseTimestamp } from "../../../runtime/ingest/time";
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

describe("the arithmetic reading of timestamps", () => {
    /** What a JavaScript date makes of the same fields: the definition the arithmetic is checked against. */
    function byDate(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
        const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
        date.setUTCFullYear(year);
        return date.getTime();
    }
    const pad = (value: number, width: number) => String(value).padStart(width, "0");

    it("gives the epoch milliseconds a JavaScript date gives, for every year from 1 to 9999, with and without a zone offset", () => {
        const moment = fc.record({
            year: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constantFrom(1, 99, 100, 1600, 1900, 1970, 2000, 2024, 2100, 9999)),
            month: fc.integer({ min: 1, max: 12 }),
            day: fc.integer({ min: 1, max: 28 }),
            hour: fc.integer({ min: 0, max: 23 }),
            minute: fc.integer({ min: 0, max: 59 }),
            second: fc.integer({ min: 0, max: 59 }),
            millis: fc.integer({ min: 0, max: 999 }),
            offset: fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        });
        fc.assert(
            fc.property(moment, ({ year, month, day, hour, minute, second, millis, offset }) => {
                const local = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}`;
                const expected = byDate(year, month, day, hour, minute, second, millis);
                assert.strictEqual(parseTimestamp(`${local}Z`), expected);
                const sign = offset < 0 ? "-" : "+";
                const zoned = parseTimestamp(`${local}${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`);
                const shifted = expected - offset * 60_000;
                // Outside 0001-01-01 to 9999-12-31 (UTC) a time is refused.
                assert.strictEqual(zoned, shifted >= byDate(1, 1, 1, 0, 0, 0, 0) && shifted <= byDate(9999, 12, 31, 23, 59, 59, 999) ? shifted : undefined);
            }),
            { numRuns: 5_000 },
        );
    });

    it("lets the notAfter rule compare canonical times as text exactly when parsing them would give the same verdict", () => {
        const rule = { kind: "notAfter", name: "in_order", earlier: "a", later: "b" } as const;
        /** The rule by its definition: both parsed, an unreadable time never violates it. */
        const violates = (a: string, b: string) => (parseTimestamp(a) ?? Number.NEGATIVE_INFINITY) > (parseTimestamp(b) ?? Number.POSITIVE_INFINITY);
        const moment = fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }).map((date) => date.toISOString());
        // Canonical in shape but not a real day or time, and other spellings of real times.
        const odd = fc.constantFrom("2023-02-29T00:00:00.000Z", "2024-13-01T00:00:00.000Z", "2024-05-01T24:00:00.000Z", "2024-05-01T10:15:00Z", "2024-05-01T12:15:00.000+02:00", "2024-05-01t10:15:00.000z", "soon");
        const time = fc.oneof({ weight: 4, arbitrary: moment }, { weight: 1, arbitrary: odd });
        fc.assert(
            fc.property(time, time, (a, b) => {
                const out: Violation[] = [];
                checkCrossField(out, rule, { a, b }, new Set());
                assert.strictEqual(out.length, violates(a, b) ? 1 : 0, `${a} / ${b}`);
            }),
            { numRuns: 5_000 },
        );
    });

    it("reads the last days of months and leap days as dates do, and refuses the days that do not exist", () => {
        for (const year of [1, 4, 100, 400, 1900, 2000, 2023, 2024, 9996]) {
            for (let month = 1; month <= 12; month += 1) {
                for (let day = 28; day <= 31; day += 1) {
                    const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00.000Z`;
                    const date = byDate(year, month, day, 12, 0, 0, 0);
                    const exists = new Date(date).getUTCDate() === day;
                    assert.strictEqual(parseTimestamp(text), exists ? date : undefined, text);
                }
            }
        }
    });
});

describe("quoting text as JSON", () => {
    it("gives exactly what JSON.stringify gives, for plain and tricky text", () => {
        const tricky = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "~", "\u007f", '"', "\\", "\n", "\u0000", "\u001f", "é", "😀", "\ud800", "\u2028") });
        fc.assert(
            fc.property(fc.oneof(fc.string(), tricky, fc.nat().map(String)), (text) => {
                assert.strictEqual(jsonString(text), JSON.stringify(text));
            }),
            { numRuns: 5_000 },
        );
    });
});
