import * as assert from "assert";
import * as fc from "fast-check";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition, FieldDefinition } from "../../../runtime/datasets/types";
import { classifyRecord, createClassificationContext } from "../../../runtime/ingest/classify";
import { parseJsonObject } from "../../../runtime/ingest/json";
import { SourceRecord } from "../../../runtime/ingest/types";
import { compileValidator, maxLayoutFields, RecordLayout, RecordValidator } from "../../../runtime/ingest/validate";
import { createOrderGenerator } from "../../../runtime/producers";
import { testDataset } from "../../helpers/ingest/datasets";
import { streamTime, validOrder } from "../../helpers/ingest/events";

/**
 * A valid record's raw line is built from its payload text when that text is canonical JSON and
 * the validator says how the normalised record differs from it (absent and changed fields), instead
 * of JSON.stringify(record). It is a pure speed-up: every line must be byte for byte the line
 * built with the shortcut disabled (`reuseText: false`), whatever the payload.
 */

function sourceRecord(text: string | Buffer, position = 7): SourceRecord {
    return {
        coordinates: { engine: "kafka", source: "orders", partition: "0", position: String(position), streamTimeMs: streamTime, streamTimeType: "CREATE_TIME" },
        key: Buffer.from("ORD-1"),
        value: Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8"),
        headers: [],
    };
}

/** Classifies each payload with and without the shortcut and checks the lines are the same; returns how many took it. */
function compareLines(validator: RecordValidator, texts: readonly (string | Buffer)[]): { readonly raw: number; readonly reused: number } {
    const fast = createClassificationContext();
    const plain = createClassificationContext({ reuseText: false });
    let raw = 0;
    let reused = 0;
    texts.forEach((text, i) => {
        const record = sourceRecord(text, i);
        const expected = classifyRecord(record, validator, plain);
        const actual = classifyRecord(record, validator, fast);
        assert.deepStrictEqual(actual, expected, `payload ${JSON.stringify(text.toString())}`);
        if (expected.zone === "raw") {
            raw += 1;
            if (takesShortcut(validator, text.toString())) {
                reused += 1;
            }
        }
    });
    return { raw, reused };
}

/** Whether a valid payload's text is canonical and laid out so that its line is derived from it. */
function takesShortcut(validator: RecordValidator, text: string): boolean {
    const parsed = parseJsonObject(text);
    if (!("document" in parsed) || parsed.canonicalText === undefined) {
        return false;
    }
    const layout: RecordLayout = { absent: -1, changed: 0 };
    return validator.validate(parsed.document, { referenceTimeMs: streamTime }, layout).ok && layout.absent >= 0;
}

describe("raw lines derived from canonical payload text", () => {
    const validator = compileValidator(orders);

    it("are the lines JSON.stringify gives for the order generator's records, good and defective", () => {
        const generator = createOrderGenerator({ seed: 7, badRatio: 0.3, startTimeMs: streamTime - 4_000_000, intervalMs: 1_000 });
        const { raw, reused } = compareLines(
            validator,
            generator.take(4_000).map((message) => message.value),
        );
        // Most generated orders are canonical with absent optional fields, some with fields to normalise.
        assert.ok(raw > 2_000 && reused > raw * 0.95, `${reused} of ${raw}`);
    });

    it("are the same lines for hand-made payloads: whitespace, escapes, unicode, number forms, key order, extra and missing keys", () => {
        const order = JSON.stringify(validOrder());
        const texts = [
            order,
            `\uFEFF${order}`,
            JSON.stringify(validOrder(), null, 2),
            order.replace(/,"/g, ', "'),
            order.replace(/:/g, ": "),
            `${order} `,
            ` ${order}`,
            order.replace('"SKU-AAA1"', '"SKU-\\u0041AA1"'),
            order.replace('"SKU-AAA1"', '"SKU\\u002dAAA1"'),
            order.replace('"paid"', '"p\\u0061id"'),
            order.replace('"order_id"', '"order\\u005fid"'),
            JSON.stringify(validOrder({ coupon_code: "SAVE10", shipped_time: "2024-05-01T11:00:00Z", status: "shipped" })),
            JSON.stringify(validOrder({ coupon_code: "é😀" })),
            JSON.stringify(validOrder({ coupon_code: "\u2028" })),
            JSON.stringify(validOrder({ coupon_code: null, shipped_time: null })),
            JSON.stringify(validOrder({ coupon_code: "" })),
            JSON.stringify(validOrder({ coupon_code: " save10 " })),
            JSON.stringify(validOrder({ region: " emea ", channel: "STORE", currency: "eur" })),
            JSON.stringify(validOrder({ event_time: "2024-05-01T12:15:00+02:00" })),
            JSON.stringify(validOrder({ event_time: "2024-05-01T10:15:00.000Z" })),
            JSON.stringify(validOrder({ amount: "31.50" })),
            JSON.stringify(validOrder({ order_id: "ord-abcdefghij12" })),
            order.replace('"amount":31.5', '"amount":31.50'),
            order.replace('"amount":31.5', '"amount":3.15e1'),
            order.replace('"amount":31.5', '"amount":3.15E+1'),
            order.replace('"amount":31.5', '"amount":315e-1'),
            order.replace('"unit_price":11', '"unit_price":11.0'),
            order.replace('"unit_price":11', '"unit_price":11.00'),
            order.replace('"unit_price":11', '"unit_price":1.1e1'),
            order.replace('"quantity":1', '"quantity":1.0'),
            order.replace('"quantity":1', '"quantity":-0'),
            order.replace('"quantity":1', '"quantity":1e0'),
            order.replace('"quantity":1', '"quantity":12345678901234567890'),
            order.replace('"quantity":1', '"quantity":1,"quantity":1'),
            order.replace('"sku":"SKU-BBB2","quantity":1', '"quantity":1,"sku":"SKU-BBB2"'),
            order.replace('"sku":"SKU-BBB2",', ""),
            order.replace('{"sku":"SKU-BBB2"', '{"sku":"SKU-BBB2","note":"x"'),
            order.replace('{"sku":"SKU-BBB2"', '{"sku":"SKU-BBB2","1":"x"'),
            order.replace('{"sku":"SKU-BBB2"', '{"sku":"SKU-BBB2","nested":[[1,2],[3]]'),
            order.replace('"line_items":[', '"line_items":[[],'),
            JSON.stringify(validOrder({ line_items: [{ sku: "SKU-AAA1", quantity: 2, unit_price: 10.25 }, null] })),
            JSON.stringify({ event_time: "2024-05-01T10:15:00Z", ...validOrder() }),
            JSON.stringify({ ...validOrder(), order_id: undefined, extra: 1 }),
            JSON.stringify({ "1": "x", ...validOrder() }),
            JSON.stringify({ ...validOrder(), "10": [1, [2, [3]]] }),
            JSON.stringify({ ...validOrder(), __proto__x: 1 }),
            JSON.stringify(Object.fromEntries(Object.entries(validOrder()).reverse())),
            JSON.stringify({ ...validOrder(), line_items: undefined }),
            JSON.stringify({ ...validOrder(), customer_id: undefined }),
            "{}",
            "[]",
            "not json",
        ];
        const { raw, reused } = compareLines(validator, texts);
        assert.ok(raw >= 20 && reused >= 5, `${reused} of ${raw}`);
    });
});

/** Number texts that are, or look like but are not, what JSON.stringify writes. */
const numberTokens = fc.oneof(
    fc.constantFrom(
        "0", "-0", "1", "-1", "1.0", "1.5", "1.50", "-1.25", "10", "100", "1e2", "1E2", "1e+2", "1e-2", "1.5e-3", "0.000001", "0.0000001", "0.0000015",
        "0.5", "-0.5", "-0.0", "0.10", "123456789012345", "1234567890123.5", "1234567890123456", "12345678901234567890", "9007199254740993",
        "0.30000000000000004", "31.500000000000001", "2147483647", "2147483648", "12.34", "12.345", "99999999.99", "1000000000000000000000", "5e-324",
    ),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => JSON.stringify(n / 100)),
);

/** String texts: plain, escaped, unicode, padded and mixed case, dates and timestamps, decimals as text. */
const stringTokens = fc.oneof(
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
    fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.constantFrom(
        '"abc"', '"ABC"', '" padded "', '"MiXeD"', '"é😀"', '""', '"   "', '"a\\u0041b"', '"x\\/y"', '"tab\\t"', '"q\\"q"', '"\\u00e9"',
        '"2024-05-01"', '"2024-02-30"', '"2024-05-01T10:00:00Z"', '"2024-05-01T10:00:00.000Z"', '"2024-05-01T12:00:00+02:00"', '"2024-05-01T10:00:00"',
        '"12.50"', '"12.5"', '" 3 "', '"-0"', '"1e2"', '"123456789012345678.1200"',
    ),
);

const literalTokens = fc.constantFrom("true", "false", "null");

/** Whitespace between tokens; a document uses it only sometimes, so most documents are canonical. */
const spaces = fc.constantFrom("", "", "", " ", "\n", "\t ", "\r\n");

interface Entry {
    readonly key: string;
    readonly value: string;
}

/** JSON text of an object from its entries (names as given, values as tokens), with whitespace from `gaps`. */
function objectText(entries: readonly Entry[], gaps: readonly string[], escapeKey: boolean): string {
    const gap = (i: number) => (gaps.length === 0 ? "" : (gaps[i % gaps.length] as string));
    const name = (key: string) => (escapeKey && key.length > 1 ? `"\\u${key.charCodeAt(0).toString(16).padStart(4, "0")}${key.slice(1)}"` : JSON.stringify(key));
    return `${gap(0)}{${entries.map((entry, i) => `${gap(i + 1)}${name(entry.key)}${gap(i + 2)}:${gap(i + 3)}${entry.value}`).join(",")}${gap(entries.length + 1)}}`;
}

const scalarTokens = fc.oneof({ weight: 3, arbitrary: numberTokens }, { weight: 3, arbitrary: stringTokens }, { weight: 1, arbitrary: literalTokens });

const smallNumbers = fc.oneof(fc.integer({ min: -1_000, max: 100_000 }).map(String), fc.integer({ min: -1_000, max: 100_000 }).map((n) => JSON.stringify(n / 100)), numberTokens);
const timestamps = fc.constantFrom('"2024-05-01T10:00:00Z"', '"2024-05-01T10:00:00.000Z"', '"2024-05-01T10:00:00.123Z"', '"2024-05-01T12:00:00+02:00"', '"2024-05-01T10:00:00.5Z"', '"2024-05-01 10:00:00Z"', "null");

/** Values mostly of the field's type (so many documents are valid), in every form the type allows. */
const typedTokens: Record<string, fc.Arbitrary<string>> = {
    string: fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z0-9 ]{1,10}$/).map((s) => JSON.stringify(s)) }, { weight: 2, arbitrary: stringTokens }, { weight: 1, arbitrary: fc.constant("null") }),
    int: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -1_000, max: 100_000 }).map(String) }, { weight: 1, arbitrary: numberTokens }),
    long: fc.oneof(smallNumbers, fc.constantFrom("9007199254740991", "123456789012345", "-42")),
    double: smallNumbers,
    decimal: fc.oneof(smallNumbers, fc.constantFrom('"12.50"', '"3"', '" 7.1 "', '"123456789012345678.1200"', "null")),
    boolean: fc.constantFrom("true", "false", "null", "0"),
    date: fc.constantFrom('"2024-05-01"', '"2024-12-31"', '"2024-02-30"', "null"),
    timestamp: timestamps,
    array: fc.constant("[]"),
};

/** A value one time in ten, else undefined. */
function rarely<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
    return fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });
}

/**
 * Documents for `dataset`: each field present or absent (required ones mostly present), mostly
 * given a value of its type, in definition order or (sometimes) any order, sometimes with extra
 * members, whitespace or an escaped member name.
 */
function documents(dataset: DatasetDefinition): fc.Arbitrary<string> {
    const valueOf = (field: FieldDefinition): fc.Arbitrary<string> => {
        if (field.type === "array") {
            const members = field.items.map((item) => item.name);
            const item = fc
                .tuple(
                    fc.tuple(...field.items.map((member) => fc.option(valueOf(member), { freq: 6, nil: undefined }))),
                    rarely(scalarTokens),
                    fc.nat(7),
                    fc.array(spaces, { maxLength: 2 }),
                )
                .chain(([values, extra, shuffle, gaps]) => {
                    const entries: Entry[] = members.flatMap((key, i) => (values[i] === undefined ? [] : [{ key, value: values[i] as string }]));
                    if (extra !== undefined) {
                        entries.push({ key: "extra", value: extra });
                    }
                    return (shuffle === 0 ? fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }) : fc.constant(entries)).map((ordered) => objectText(ordered, gaps, false));
                });
            return fc.oneof(
                { weight: 8, arbitrary: fc.array(item, { maxLength: 3 }).map((items) => `[${items.join(",")}]`) },
                { weight: 1, arbitrary: fc.constantFrom("[]", "[[1,2],[3]]", "[null]", "null", '"x"', "{}") },
            );
        }
        return fc.oneof({ weight: 12, arbitrary: typedTokens[field.type] as fc.Arbitrary<string> }, { weight: 1, arbitrary: scalarTokens });
    };
    const extras = fc.constantFrom("extra", "1", "10", "__proto__");
    return fc
        .tuple(
            fc.tuple(...dataset.fields.map((field) => fc.option(valueOf(field), { freq: field.required ? 20 : 2, nil: undefined }))),
            rarely(fc.tuple(extras, scalarTokens)),
            fc.nat(9),
            fc.array(spaces, { maxLength: 3 }),
        )
        .chain(([values, extra, shuffle, gaps]) => {
            const entries: Entry[] = dataset.fields.flatMap((field, i) => (values[i] === undefined ? [] : [{ key: field.name, value: values[i] as string }]));
            if (extra !== undefined) {
                entries.splice(extra[1].length % (entries.length + 1), 0, { key: extra[0], value: extra[1] });
            }
            const spaced = gaps.length > 0 && gaps[0] !== "" ? gaps : [];
            return (shuffle === 0 ? fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }) : fc.constant(entries)).map((ordered) => objectText(ordered, spaced, shuffle === 1));
        });
}

/**
 * A dataset of every field type, optional fields and normalisation, with an array of structs.
 * `named` adds an optional first field and names an item member like a top-level field (`label`)
 * or like the array itself (`items`, so the array's text holds its own key).
 */
function mixedDataset(named?: "label" | "items"): DatasetDefinition {
    const fields: FieldDefinition[] = [
        ...(named ? [{ name: "note", type: "string", description: "Optional first field" } as const] : []),
        { name: "id", type: "string", description: "Id", required: true, normalise: { trim: true } },
        { name: "label", type: "string", description: "Label", normalise: { case: "lower" } },
        { name: "code", type: "string", description: "Code", normalise: { trim: true, case: "upper" }, rules: { maxLength: 12 } },
        { name: "text", type: "string", description: "Free text" },
        { name: "count", type: "int", description: "Count" },
        { name: "big", type: "long", description: "Long" },
        { name: "ratio", type: "double", description: "Double" },
        { name: "price", type: "decimal", precision: 10, scale: 2, description: "Decimal" },
        { name: "wide", type: "decimal", precision: 20, scale: 4, description: "Wide decimal" },
        { name: "flag", type: "boolean", description: "Flag" },
        { name: "day", type: "date", description: "Date" },
        {
            name: "items",
            type: "array",
            description: "Items",
            items: [
                { name: "name", type: "string", description: "Name", required: true, normalise: { trim: true, case: "upper" } },
                { name: named ?? "qty", type: "int", description: "Quantity" },
                { name: "cost", type: "decimal", precision: 8, scale: 2, description: "Cost" },
            ],
        },
        { name: "at", type: "timestamp", description: "Event time", required: true },
        { name: "done", type: "timestamp", description: "Optional time" },
    ];
    return testDataset({ name: `mixed_${named ?? "plain"}`, version: 3, description: "Every field type", fields, key: ["id"], eventTimeField: "at" });
}

describe("raw lines derived from generated payloads of every shape", () => {
    for (const named of [undefined, "label", "items"] as const) {
        it(`are the lines JSON.stringify gives${named ? ` (optional first field, a member named ${named})` : ""}`, () => {
            const validator = compileValidator(mixedDataset(named));
            let raw = 0;
            let reused = 0;
            fc.assert(
                fc.property(fc.array(documents(validator.dataset), { minLength: 1, maxLength: 8 }), (texts) => {
                    const counts = compareLines(validator, texts);
                    raw += counts.raw;
                    reused += counts.reused;
                }),
                { numRuns: 1_500 },
            );
            // The property must reach the shortcut often, not only the fallback.
            assert.ok(raw > 500 && reused > raw / 4, `${reused} of ${raw}`);
        });
    }

    it("falls back for a dataset with more fields than the layout masks hold", () => {
        const wide: DatasetDefinition = {
            ...mixedDataset(),
            name: "wide",
            fields: [
                ...Array.from({ length: maxLayoutFields }, (_, i): FieldDefinition => ({ name: `f${i}`, type: "int", description: `Field ${i}` })),
                { name: "at", type: "timestamp", description: "Event time", required: true },
            ],
            key: ["at"],
        };
        const validator = compileValidator(wide);
        const full = Object.fromEntries([...Array.from({ length: maxLayoutFields }, (_, i) => [`f${i}`, i]), ["at", "2024-05-01T10:00:00Z"]]);
        const { raw, reused } = compareLines(validator, [JSON.stringify(full), JSON.stringify({ f3: 1, at: "2024-05-01T10:00:00Z" })]);
        assert.deepStrictEqual([raw, reused], [2, 0]);
    });
});

describe("canonical payload text", () => {
    it("is reported only when it is exactly what JSON.stringify writes for the parsed object", () => {
        let canonical = 0;
        fc.assert(
            fc.property(documents(mixedDataset()), (text) => {
                const parsed = parseJsonObject(text);
                if ("document" in parsed && parsed.canonicalText !== undefined) {
                    canonical += 1;
                    assert.strictEqual(parsed.canonicalText, JSON.stringify(parsed.document));
                }
            }),
            { numRuns: 20_000 },
        );
        assert.ok(canonical > 1_000, String(canonical));
    });

    it("is recognised for JSON.stringify's own output of numbers, strings and nesting, and not for other number forms", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string({ unit: fc.constantFrom("a", "b", "_", "é") , minLength: 1 }), fc.jsonValue({ maxDepth: 3 })), (object) => {
                const text = JSON.stringify(object);
                const parsed = parseJsonObject(text);
                if ("document" in parsed && parsed.canonicalText !== undefined) {
                    assert.strictEqual(parsed.canonicalText, text);
                }
            }),
            { numRuns: 5_000 },
        );
        const canonicalText = (text: string) => {
            const parsed = parseJsonObject(text);
            return "document" in parsed ? parsed.canonicalText : null;
        };
        for (const number of ["0", "-1", "1.5", "-0.5", "0.000001", "123456789012345", "0.25"]) {
            assert.strictEqual(canonicalText(`{"n":${number}}`), `{"n":${number}}`, number);
        }
        for (const number of ["-0", "1.0", "1.50", "1e2", "1E2", "0.0000001", "1234567890123456", "12345678901234567890", "-0.0"]) {
            assert.ok([undefined, null].includes(canonicalText(`{"n":${number}}`) as null), number);
        }
        assert.strictEqual(canonicalText('\uFEFF{"a":[1,{"b":true}],"c":null}'), '{"a":[1,{"b":true}],"c":null}');
        for (const text of ['{"a": 1}', '{"a":1} ', '{"a":"\\u0041"}', '{"1":1}', '{"a":{"2":1}}', '{"a":[1 ,2]}']) {
            assert.strictEqual(canonicalText(text), undefined, text);
        }
    });
});
