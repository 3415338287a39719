import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import * as fc from "fast-check";
import { orders } from "../../../runtime/datasets";
import { DatasetDefinition, FieldDefinition, ScalarField } from "../../../runtime/datasets/types";
import { compileValidator, validatorSource } from "../../../runtime/ingest/validate";
import { testDataset } from "../../helpers/ingest/datasets";
import { readingsDataset, streamTime, validOrder } from "../../helpers/ingest/events";
import { interpretValidator } from "../../helpers/ingest/referenceValidator";

/**
 * The shipped validator is generated code; the reference validator interprets the definition.
 * Both must agree exactly (record, violations, messages, order) on any document, for datasets
 * that between them use every type, rule, normalisation and cross-field rule.
 */

/** A dataset using what the shipped ones do not: every rule on every type, wide decimals, text event time. */
const everything: DatasetDefinition = testDataset({
    name: "everything",
    version: 1,
    description: "Every rule kind",
    fields: [
        { name: "code", type: "string", description: "Code", required: true, rules: { minLength: 2, maxLength: 6, pattern: "[A-Z]+[0-9]?", allowed: ["AB", "ABC", "XYZ1", "QQQQQQ"] }, normalise: { trim: true, case: "upper" } },
        { name: "note", type: "string", description: "Free text, untouched" },
        { name: "level", type: "int", description: "Level", rules: { min: -5, max: 5, allowed: ["-1", "0", "1", "2", "3"] } },
        { name: "big", type: "long", description: "Big", rules: { min: 0 } },
        { name: "ratio", type: "double", description: "Ratio", rules: { min: -1.5, max: 1.5 } },
        { name: "exact", type: "decimal", precision: 30, scale: 6, description: "Wide decimal", rules: { min: -1000, max: 1e20 } },
        { name: "whole", type: "decimal", precision: 4, scale: 0, description: "Whole decimal", rules: { allowed: ["10", "20", "1000"] } },
        { name: "flag", type: "boolean", description: "Flag", rules: { allowed: ["true"] } },
        { name: "day", type: "date", description: "Day", rules: { allowed: ["2024-02-29", "2024-05-01"] } },
        { name: "opened", type: "timestamp", description: "Opened", rules: { maxFutureSkewSeconds: 5 } },
        { name: "closed", type: "timestamp", description: "Closed" },
        {
            name: "parts",
            type: "array",
            description: "Optional parts",
            maxItems: 3,
            items: [
                { name: "n", type: "int", description: "Count", required: true },
                { name: "w", type: "decimal", precision: 6, scale: 3, description: "Weight" },
                { name: "label", type: "string", description: "Label", normalise: { case: "lower" }, rules: { maxLength: 3 } },
            ],
        },
        { name: "event", type: "string", description: "Event time as text" },
    ],
    key: ["code"],
    eventTimeField: "event",
    crossFieldRules: [
        { kind: "notAfter", name: "opened_before_closed", earlier: "opened", later: "closed" },
        { kind: "requiredWhen", name: "flag_needs_day", field: "flag", values: ["true"], then: "day" },
        { kind: "sumOfProducts", name: "exact_is_parts", field: "exact", array: "parts", factors: ["n", "w"], tolerance: 0.5 },
    ],
});

const noCrossFieldRules: DatasetDefinition = { ...readingsDataset, name: "plain_readings", crossFieldRules: [] };

const timestamps = fc.oneof(
    fc.date({ min: new Date(-62135596800000), max: new Date(253402300799999), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.date({ min: new Date(Date.UTC(2023, 0, 1)), max: new Date(Date.UTC(2025, 0, 1)), noInvalidDate: true }).map((date) => date.toISOString().replace(".000Z", "Z")),
    fc.tuple(fc.date({ min: new Date(Date.UTC(2024, 0, 1)), max: new Date(Date.UTC(2024, 11, 31)), noInvalidDate: true }), fc.constantFrom("+02:00", "-0530", "+24:00", "", "z", "+00")).map(
        ([date, zone]) => date.toISOString().slice(0, 19) + zone,
    ),
    fc.constantFrom("2024-02-30T10:15:00Z", "2024-05-01 10:15:00.123456789Z", "2024-05-01T10:15Z", "2024-05-01T25:00:00Z", "0050-01-01T00:00:00Z", "nope"),
    fc.integer({ min: streamTime - 60_000, max: streamTime + 60_000 }).map((ms) => new Date(ms).toISOString()),
);

const decimals = fc.oneof(
    fc.double({ min: -1e12, max: 1e12, noNaN: true }),
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 1000),
    fc.stringMatching(/^ ?[+-]?0{0,2}[0-9]{1,22}(\.[0-9]{0,8})? ?$/),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, "-0.0", "1e3", "", ".5", "5."),
);

function scalarValue(field: ScalarField): fc.Arbitrary<unknown> {
    const fromRules = field.rules?.allowed ? [fc.constantFrom(...field.rules.allowed).map((v) => (field.normalise ? ` ${v.toLowerCase()} ` : v))] : [];
    const fromPattern = field.rules?.pattern !== undefined ? [fc.stringMatching(new RegExp(`^(?:${field.rules.pattern})$`))] : [];
    switch (field.type) {
        case "string":
            return fc.oneof(fc.string({ maxLength: 14 }), fc.constantFrom("", "   ", " ab ", "x"), ...fromRules, ...fromPattern);
        case "int":
        case "long":
        case "double":
            return fc.oneof(fc.integer({ min: -10, max: 100 }), fc.integer(), fc.double(), fc.constantFrom(2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 60, -0, "3"), ...fromRules);
        case "decimal":
            return fc.oneof(decimals, ...fromRules);
        case "boolean":
            return fc.oneof(fc.boolean(), fc.constantFrom("true", 1));
        case "date":
            return fc.oneof(fc.constantFrom("2024-02-29", "2023-02-29", "2024-05-01", "2024-5-1", "0000-01-01"), ...fromRules);
        case "timestamp":
            return timestamps;
    }
}

const fieldValues = new Map<FieldDefinition, fc.Arbitrary<unknown>>();

/** A value for a field: one shaped for its type most of the time, otherwise anything (built once per field). */
function fieldValue(field: FieldDefinition): fc.Arbitrary<unknown> {
    const known = fieldValues.get(field);
    if (known !== undefined) {
        return known;
    }
    const shaped =
        field.type === "array"
            ? fc.array(fc.oneof({ weight: 6, arbitrary: document(field.items) }, { weight: 1, arbitrary: fc.jsonValue() }), { maxLength: 5 })
            : scalarValue(field);
    const value = fc.oneof({ weight: 8, arbitrary: shaped }, { weight: 1, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fc.constantFrom(undefined, null) });
    fieldValues.set(field, value);
    return value;
}

/** Documents over some fields, each field present or absent, sometimes with undeclared ones. */
function document(fields: readonly FieldDefinition[]): fc.Arbitrary<Record<string, unknown>> {
    const shape = Object.fromEntries(fields.map((field) => [field.name, fieldValue(field)]));
    return fc
        .tuple(fc.record(shape, { requiredKeys: [] }), fc.dictionary(fc.constantFrom("extra", "Order_Id", "constructor", "__proto__", "toString"), fc.jsonValue(), { maxKeys: 2 }), fc.nat(9))
        .map(([known, extra, dice]) => (dice === 0 ? { ...known, ...extra } : known));
}

/** A valid document per dataset: mutating a few of its fields reaches the success path and each rule alone. */
const reading = { sensor_id: " T-100 ", reading_id: 42, celsius: 21.5, calibrated: true, calibration_date: "2024-04-01", kind: "Indoor", measured_at: "2024-05-01T10:15:00.123456Z" };
const datasets: readonly { readonly dataset: DatasetDefinition; readonly valid: Record<string, unknown> }[] = [
    { dataset: orders, valid: validOrder() },
    { dataset: readingsDataset, valid: reading },
    { dataset: noCrossFieldRules, valid: reading },
    {
        dataset: everything,
        valid: {
            code: " xyz1 ",
            level: 2,
            big: 2 ** 40,
            ratio: -0.25,
            exact: "+0012.500000",
            whole: 1000,
            flag: true,
            day: "2024-02-29",
            opened: "2024-05-01T10:15:00+02:00",
            closed: "2024-05-01T09:15:00.5Z",
            parts: [{ n: 5, w: 2.5, label: "AB" }],
            event: "2024-05-01T10:15:00Z",
        },
    },
];

/** A valid document with up to three fields replaced or removed, or a document built from scratch. */
function documentFor(dataset: DatasetDefinition, valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
    const mutated = fc
        .subarray([...dataset.fields], { maxLength: 3 })
        .chain((fields) => fc.tuple(fc.constant(fields), fc.tuple(...fields.map((field) => fc.option(fieldValue(field), { nil: undefined, freq: 4 })))))
        .map(([fields, values]) => {
            const doc = { ...valid };
            fields.forEach((field, i) => {
                if (values[i] === undefined) {
                    delete doc[field.name];
                } else {
                    doc[field.name] = values[i];
                }
            });
            return doc;
        });
    return fc.oneof({ weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: document(dataset.fields) });
}
const referenceTimes = fc.oneof(fc.constant(null), fc.integer({ min: streamTime - 86_400_000, max: streamTime + 86_400_000 }));

describe("the generated validator against the reference interpreter", () => {
    for (const { dataset, valid: validDocument } of datasets) {
        it(`agrees exactly on 3,000 generated documents of '${dataset.name}', valid and broken`, () => {
            const generated = compileValidator(dataset);
            const reference = interpretValidator(dataset);
            let valid = 0;
            fc.assert(
                fc.property(documentFor(dataset, validDocument), referenceTimes, (doc, referenceTimeMs) => {
                    const expected = reference.validate(doc, { referenceTimeMs });
                    assert.deepStrictEqual(generated.validate(doc, { referenceTimeMs }), expected);
                    valid += expected.ok ? 1 : 0;
                }),
                { numRuns: 3000, seed: 20261122 },
            );
            // The documents must reach the success path too, or only the failure paths were compared.
            assert.ok(valid >= 150, `only ${valid} of 3,000 generated '${dataset.name}' documents were valid; expected at least 5 %`);
        });
    }

    it("agrees on valid orders whose line items are normalised, reordered or skipped one by one, and stores the items in order", () => {
        const generated = compileValidator(orders);
        const reference = interpretValidator(orders);
        // Each item as sent: as stored, with a SKU to normalise, with its members in another order, or a hole in the array.
        const item = fc.record({ sku: fc.constantFrom("SKU-AAA1", "SKU-BBB2", "X-1"), quantity: fc.integer({ min: 1, max: 5 }), cents: fc.integer({ min: 1, max: 5000 }), form: fc.constantFrom("stored", "lower", "spaced", "reordered", "hole") });
        let changedValid = 0;
        fc.assert(
            fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), (items) => {
                const lineItems: unknown[] = [];
                let amountCents = 0;
                items.forEach(({ sku, quantity, cents, form }, index) => {
                    if (form === "hole") {
                        lineItems.length = index + 1;
                        return;
                    }
                    amountCents += quantity * cents;
                    const unit_price = cents / 100;
                    lineItems[index] =
                        form === "lower" ? { sku: sku.toLowerCase(), quantity, unit_price } : form === "spaced" ? { sku: ` ${sku} `, quantity, unit_price } : form === "reordered" ? { quantity, sku, unit_price } : { sku, quantity, unit_price };
                });
                const doc = validOrder({ line_items: lineItems, amount: amountCents / 100 });
                const expected = reference.validate(doc, { referenceTimeMs: streamTime });
                const actual = generated.validate(doc, { referenceTimeMs: streamTime });
                assert.deepStrictEqual(actual, expected);
                if (actual.ok) {
                    // The same text too: the stored items are what a reader of the raw zone gets.
                    assert.strictEqual(JSON.stringify(actual.record), JSON.stringify(expected.ok && expected.record));
                    changedValid += items.some((i) => i.form !== "stored") ? 1 : 0;
                }
            }),
            { numRuns: 2000, seed: 20261206 },
        );
        assert.ok(changedValid >= 200, `only ${changedValid} valid orders had an item to normalise, reorder or skip`);
    });

    it("agrees on values that are not objects at all", () => {
        const generated = compileValidator(orders);
        const reference = interpretValidator(orders);
        fc.assert(
            fc.property(fc.oneof(fc.jsonValue(), fc.constantFrom(undefined, [], [{}])), (value) => {
                assert.deepStrictEqual(generated.validate(value, { referenceTimeMs: streamTime }), reference.validate(value, { referenceTimeMs: streamTime }));
            }),
            { numRuns: 500, seed: 7 },
        );
    });

    it("writes definition values into the source only as escaped literals", () => {
        const hostile: DatasetDefinition = {
            ...readingsDataset,
            fields: readingsDataset.fields.map((field) => (field.name === "kind" ? { name: "kind", type: "string", description: "Kind", rules: { allowed: ['x"); throw new Error("injected'] } } : field)),
        };
        const source = validatorSource(hostile);
        assert.ok(!source.includes('throw new Error("injected'), "an allowed value was written into the source");
        const result = compileValidator(hostile).validate({ sensor_id: "abc", reading_id: 1, celsius: 1, calibrated: false, kind: 'x"); throw new Error("injected', measured_at: "2024-05-01T10:00:00Z" }, { referenceTimeMs: null });
        assert.ok(result.ok, "the hostile allowed value is data, accepted as such");
    });

    it("says what to change when the process forbids code generation from strings", () => {
        const root = path.resolve(__dirname, "..", "..", "..");
        const script = `const { compileValidator } = require("./runtime/ingest/validate");
            const { orders } = require("./runtime/datasets/orders");
            try { compileValidator(orders); process.stdout.write("compiled"); } catch (e) { process.stdout.write(JSON.stringify({ name: e.name, setting: e.setting, message: e.message })); }`;
        const output = execFileSync(process.execPath, ["--disallow-code-generation-from-strings", "-r", "ts-node/register/transpile-only", "-e", script], { cwd: root, encoding: "utf8" });
        const error = JSON.parse(output) as { name: string; setting: string; message: string };
        assert.deepStrictEqual([error.name, error.setting], ["ConfigurationError", "NODE_OPTIONS"]);
        assert.match(error.message, /validator of dataset 'orders' .* does not allow code generation from strings .*; remove --disallow-code-generation-from-strings/);
    });

    it("compiles a definition once per process and shares the validator; a changed copy gets its own", () => {
        const definition: DatasetDefinition = { ...readingsDataset, name: "shared_readings" };
        const first = compileValidator(definition);
        assert.strictEqual(compileValidator(definition), first);
        const wider: DatasetDefinition = { ...definition, fields: definition.fields.map((field) => (field.name === "celsius" ? { ...field, rules: { min: -500, max: 500 } } : field)) };
        const second = compileValidator(wider);
        assert.notStrictEqual(second, first);
        // Each answers for its own definition, whichever was compiled first.
        const hot = { sensor_id: "T-100", reading_id: 1, celsius: 200, calibrated: true, calibration_date: "2024-04-01", kind: "Indoor", measured_at: "2024-05-01T10:15:00Z" };
        assert.strictEqual(first.validate(hot, { referenceTimeMs: null }).ok, false);
        assert.strictEqual(second.validate(hot, { referenceTimeMs: null }).ok, true);
        assert.strictEqual(first.dataset, definition);
        assert.strictEqual(second.dataset, wider);
    });

    it("refuses field names that are not lower snake case, naming the field", () => {
        const bad: DatasetDefinition = { ...readingsDataset, fields: [...readingsDataset.fields, { name: "x-y", type: "string", description: "Bad" }] };
        assert.throws(() => compileValidator(bad), /field name "x-y" must be lower snake case/);
    });
});
