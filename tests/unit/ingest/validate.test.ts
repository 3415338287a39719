import * as assert from "assert";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition } from "../../../runtime/datasets/types";
import { compileValidator, maxViolationsPerRecord, ValidationResult } from "../../../runtime/ingest/validate";
import { Violation } from "../../../runtime/ingest/types";
import { readingsDataset, streamTime, validOrder } from "../../helpers/ingest/events";

const validator = compileValidator(orders);
const context = { referenceTimeMs: streamTime };

function violations(result: ValidationResult): readonly Violation[] {
    assert.strictEqual(result.ok, false, "expected the record to be invalid");
    return result.ok ? [] : result.violations;
}

function firstViolation(document: unknown, v = validator): Pick<Violation, "errorType" | "rule" | "field"> {
    const [first] = violations(v.validate(document, context));
    assert.ok(first);
    return { errorType: first.errorType, rule: first.rule, field: first.field };
}

describe("validating records against a dataset definition", () => {
    it("accepts a valid order and normalises it: trim and case, canonical UTC timestamps, every field in definition order", () => {
        const result = validator.validate(validOrder({ region: " emea ", channel: "STORE", event_time: "2024-05-01T12:15:00+02:00", coupon_code: " save10 " }), context);
        assert.ok(result.ok);
        assert.deepStrictEqual(Object.keys(result.record), orders.fields.map((f) => f.name));
        assert.strictEqual(result.record.region, "EMEA");
        assert.strictEqual(result.record.channel, "store");
        assert.strictEqual(result.record.coupon_code, "SAVE10");
        assert.strictEqual(result.record.event_time, "2024-05-01T10:15:00.000Z");
        assert.strictEqual(result.record.shipped_time, null);
        assert.strictEqual(result.eventTimeMs, Date.UTC(2024, 4, 1, 10, 15));
    });

    const table: { readonly name: string; readonly document: unknown; readonly expected: Pick<Violation, "errorType" | "rule" | "field"> }[] = [
        { name: "a missing required field", document: validOrder({ customer_id: undefined }), expected: { errorType: "missing_required", rule: "required", field: "customer_id" } },
        { name: "a null required field", document: validOrder({ customer_id: null }), expected: { errorType: "missing_required", rule: "required", field: "customer_id" } },
        { name: "a required string that is blank after trimming", document: validOrder({ store_id: "   " }), expected: { errorType: "missing_required", rule: "required", field: "store_id" } },
        { name: "a string where a number is expected", document: validOrder({ amount: "lots" }), expected: { errorType: "type_mismatch", rule: "type", field: "amount" } },
        { name: "a number where a string is expected", document: validOrder({ order_id: 12 }), expected: { errorType: "type_mismatch", rule: "type", field: "order_id" } },
        { name: "a timestamp without a zone", document: validOrder({ event_time: "2024-05-01T10:15:00" }), expected: { errorType: "type_mismatch", rule: "type", field: "event_time" } },
        { name: "an impossible timestamp", document: validOrder({ event_time: "2024-02-30T10:15:00Z" }), expected: { errorType: "type_mismatch", rule: "type", field: "event_time" } },
        { name: "a field the dataset does not declare", document: validOrder({ loyalty: "gold" }), expected: { errorType: "unknown_field", rule: "schema", field: "loyalty" } },
        { name: "a value outside the allowed set", document: validOrder({ currency: "XYZ" }), expected: { errorType: "not_allowed", rule: "allowed", field: "currency" } },
        { name: "a value that does not match the pattern", document: validOrder({ order_id: "ORD-short" }), expected: { errorType: "pattern_mismatch", rule: "pattern", field: "order_id" } },
        { name: "a number below min", document: validOrder({ amount: -1 }), expected: { errorType: "out_of_range", rule: "min", field: "amount" } },
        { name: "a number above max", document: validOrder({ amount: 2_000_000 }), expected: { errorType: "out_of_range", rule: "max", field: "amount" } },
        { name: "a decimal with more integer digits than its precision allows", document: validOrder({ amount: 12_345_678_901 }), expected: { errorType: "decimal_precision", rule: "precision", field: "amount" } },
        { name: "a string longer than maxLength", document: validOrder({ coupon_code: "A".repeat(21) }), expected: { errorType: "length_out_of_range", rule: "maxLength", field: "coupon_code" } },
        { name: "a decimal with too many digits after the point", document: validOrder({ amount: 31.505 }), expected: { errorType: "decimal_precision", rule: "scale", field: "amount" } },
        { name: "a timestamp too far after the stream time", document: validOrder({ event_time: "2024-05-01T10:30:00Z" }), expected: { errorType: "future_timestamp", rule: "maxFutureSkewSeconds", field: "event_time" } },
        { name: "an empty array below minItems", document: validOrder({ line_items: [], amount: 0 }), expected: { errorType: "item_count", rule: "minItems", field: "line_items" } },
        {
            name: "an array above maxItems",
            document: validOrder({ line_items: Array.from({ length: 201 }, () => ({ sku: "SKU-AAA1", quantity: 1, unit_price: 1 })), amount: 201 }),
            expected: { errorType: "item_count", rule: "maxItems", field: "line_items" },
        },
        { name: "an array that is not an array", document: validOrder({ line_items: "none" }), expected: { errorType: "type_mismatch", rule: "type", field: "line_items" } },
        { name: "an array item that is not an object", document: validOrder({ line_items: [7] }), expected: { errorType: "type_mismatch", rule: "type", field: "line_items[0]" } },
        {
            name: "a bad field inside an array item, with its path",
            document: validOrder({ line_items: [{ sku: "SKU-AAA1", quantity: 2, unit_price: 10.25 }, { sku: "SKU-BBB2", quantity: 0, unit_price: 11 }] }),
            expected: { errorType: "out_of_range", rule: "min", field: "line_items[1].quantity" },
        },
        {
            name: "an undeclared field inside an array item",
            document: validOrder({ line_items: [{ sku: "SKU-AAA1", quantity: 3, unit_price: 10.5, colour: "red" }] }),
            expected: { errorType: "unknown_field", rule: "schema", field: "line_items[0].colour" },
        },
        { name: "a fractional int", document: validOrder({ line_items: [{ sku: "SKU-AAA1", quantity: 1.5, unit_price: 21 }] }), expected: { errorType: "type_mismatch", rule: "type", field: "line_items[0].quantity" } },
        { name: "a total that is not the sum of the line items (sumOfProducts)", document: validOrder({ amount: 40 }), expected: { errorType: "cross_field", rule: "amount_matches_line_items", field: "amount" } },
        { name: "a shipped order without a shipped time (requiredWhen)", document: validOrder({ status: "shipped" }), expected: { errorType: "cross_field", rule: "shipped_has_shipped_time", field: "shipped_time" } },
        {
            name: "a shipped time before the event time (notAfter)",
            document: validOrder({ status: "shipped", shipped_time: "2024-05-01T09:00:00Z" }),
            expected: { errorType: "cross_field", rule: "shipped_after_event", field: "shipped_time" },
        },
        { name: "a document that is not an object", document: [validOrder()], expected: { errorType: "type_mismatch", rule: "type", field: "$" } },
    ];
    for (const row of table) {
        it(`rejects ${row.name}`, () => {
            assert.deepStrictEqual(firstViolation(row.document), row.expected);
        });
    }

    it("judges decimal numbers by their exact text: no float tolerance that grows with magnitude", () => {
        for (const amount of [31.50000001, 500000.0004, 99999.99999, 0.001, 1e-7]) {
            const doc = validOrder({ amount, line_items: [{ sku: "SKU-AAA1", quantity: 1, unit_price: amount }] });
            assert.deepStrictEqual(firstViolation(doc), { errorType: "decimal_precision", rule: "scale", field: "amount" }, String(amount));
        }
        for (const amount of [0.1, 1e3, 250.5]) {
            const doc = validOrder({ amount, line_items: [{ sku: "SKU-AAA1", quantity: 1, unit_price: amount }] });
            assert.ok(validator.validate(doc, context).ok, String(amount));
        }
    });

    it("validates identifiers as received: only ASCII is trimmed and re-cased, so dotless i, long s and ligatures stay non-ASCII", () => {
        // Unicode upper-casing maps "ı" to "I", "ſ" to "S" and "ﬀ" to "FF": each would become another, real ASCII ID.
        for (const order_id of ["ORD-ABCDEFGHıJ12", "ord-abcdefghij1ſ", "ORD-ABCDEﬀHIJ12"]) {
            assert.deepStrictEqual(firstViolation(validOrder({ order_id })), { errorType: "pattern_mismatch", rule: "pattern", field: "order_id" }, order_id);
        }
        assert.deepStrictEqual(firstViolation(validOrder({ store_id: "s0042\u00a0" })), { errorType: "pattern_mismatch", rule: "pattern", field: "store_id" });
        const result = validator.validate(validOrder({ order_id: " \tord-abcdefghij12\r\n", channel: "STORE" }), context);
        assert.ok(result.ok && result.record.order_id === "ORD-ABCDEFGHIJ12" && result.record.channel === "store");
    });

    it("rejects a value nested thousands deep in a declared field with a reason, without overflowing the stack", () => {
        let deep: unknown = 1;
        for (let i = 0; i < 50_000; i += 1) {
            deep = [deep];
        }
        const [violation] = violations(validator.validate(validOrder({ customer_id: deep }), context));
        assert.deepStrictEqual([violation?.errorType, violation?.field], ["type_mismatch", "customer_id"]);
        assert.match(violation!.message, /found an array an array nested more than 64 levels deep|nested more than 64 levels deep/);
    });

    it("names the field, what was expected and what was found in the message", () => {
        const [violation] = violations(validator.validate(validOrder({ currency: "XYZ" }), context));
        assert.strictEqual(violation?.message, 'currency: expected one of USD, EUR, GBP, JPY, AUD, CAD, BRL, MXN, found "XYZ"');
    });

    it("accepts the sum within the rule's tolerance and decimals given as strings", () => {
        assert.ok(validator.validate(validOrder({ amount: 31.51 }), context).ok);
        const result = validator.validate(validOrder({ amount: "31.50" }), context);
        assert.ok(result.ok && result.record.amount === 31.5);
    });

    it("accepts a time up to maxFutureSkewSeconds after the stream time and skips the check without a stream time", () => {
        assert.ok(validator.validate(validOrder({ event_time: "2024-05-01T10:21:00Z" }), context).ok);
        assert.ok(validator.validate(validOrder({ event_time: "2030-01-01T00:00:00Z" }), { referenceTimeMs: null }).ok);
    });

    it("treats a blank optional string as absent", () => {
        const result = validator.validate(validOrder({ coupon_code: "  " }), context);
        assert.ok(result.ok && result.record.coupon_code === null);
    });

    it("reports every broken rule of a record, up to a limit, cross-field rules only over valid fields", () => {
        const result = violations(validator.validate(validOrder({ region: "MARS", currency: "XYZ", amount: 99 }), context));
        assert.deepStrictEqual(
            result.map((v) => v.rule),
            ["allowed", "allowed", "amount_matches_line_items"],
        );
        const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`extra_${i}`, i]));
        assert.strictEqual(violations(validator.validate({ ...validOrder(), ...many }, context)).length, maxViolationsPerRecord);
        const invalidAmount = violations(validator.validate(validOrder({ amount: "x" }), context));
        assert.ok(!invalidAmount.some((v) => v.rule === "amount_matches_line_items"));
    });
});

describe("validating the other scalar types (a dataset defined in the test)", () => {
    const readings = compileValidator(readingsDataset);
    const reading = (overrides: Record<string, unknown> = {}) => ({
        sensor_id: " T-100 ",
        reading_id: 42,
        celsius: 21.5,
        calibrated: true,
        calibration_date: "2024-04-01",
        kind: "Indoor",
        measured_at: "2024-05-01T10:15:00.123456Z",
        ...overrides,
    });

    it("normalises lower case, keeps milliseconds of a finer timestamp, accepts long, double, boolean and date", () => {
        const result = readings.validate(reading(), context);
        assert.ok(result.ok);
        assert.deepStrictEqual(result.record, {
            sensor_id: "t-100",
            reading_id: 42,
            celsius: 21.5,
            calibrated: true,
            calibration_date: "2024-04-01",
            kind: "indoor",
            measured_at: "2024-05-01T10:15:00.123Z",
        });
    });

    const table: { readonly name: string; readonly overrides: Record<string, unknown>; readonly expected: Pick<Violation, "errorType" | "rule" | "field"> }[] = [
        { name: "a string shorter than minLength", overrides: { sensor_id: "ab" }, expected: { errorType: "length_out_of_range", rule: "minLength", field: "sensor_id" } },
        { name: "a long beyond 2^53", overrides: { reading_id: 2 ** 60 }, expected: { errorType: "type_mismatch", rule: "type", field: "reading_id" } },
        { name: "a long below min", overrides: { reading_id: 0 }, expected: { errorType: "out_of_range", rule: "min", field: "reading_id" } },
        { name: "a double above max", overrides: { celsius: 61 }, expected: { errorType: "out_of_range", rule: "max", field: "celsius" } },
        { name: "a boolean given as text", overrides: { calibrated: "yes" }, expected: { errorType: "type_mismatch", rule: "type", field: "calibrated" } },
        { name: "an impossible date", overrides: { calibration_date: "2023-02-29" }, expected: { errorType: "type_mismatch", rule: "type", field: "calibration_date" } },
        { name: "a missing value required by another field", overrides: { calibration_date: null }, expected: { errorType: "cross_field", rule: "calibrated_has_date", field: "calibration_date" } },
        { name: "a value outside the allowed set after normalisation", overrides: { kind: "Orbital" }, expected: { errorType: "not_allowed", rule: "allowed", field: "kind" } },
    ];
    for (const row of table) {
        it(`rejects ${row.name}`, () => {
            assert.deepStrictEqual(firstViolation(reading(row.overrides), readings), row.expected);
        });
    }

    it("keeps high-precision decimals given as text exactly", () => {
        const wide: DatasetDefinition = {
            ...readingsDataset,
            fields: [...readingsDataset.fields, { name: "total", type: "decimal", precision: 30, scale: 6, description: "Wide" }],
        };
        const result = compileValidator(wide).validate(reading({ total: "123456789012345678.120000" }), context);
        assert.ok(result.ok && result.record.total === "123456789012345678.12");
    });
});
