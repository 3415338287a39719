import { ConfigurationError, describeError } from "../common/errors";
import { DatasetDefinitionError } from "../datasets/errors";
import { ArrayOfStructField, DatasetDefinition, FieldDefinition, ScalarField } from "../datasets/types";
import { add, canonicalDecimal, checkCrossField, decimalTextOfNumber, expectedType, kindOf, lowerAscii, maxViolationsPerRecord, show, trimAscii, upperAscii } from "./rules";
import { formatTimestamp, isCanonicalTimestamp, isIsoDate, parseTimestamp } from "./time";
import { Violation } from "./types";

export { maxViolationsPerRecord };

/**
 * The record validator, compiled from a `DatasetDefinition` and nothing else: field types,
 * `required`, scalar rules (allowed, pattern, min/max, minLength/maxLength, maxFutureSkewSeconds),
 * normalisation (trim, then case), arrays of structs (minItems/maxItems) and cross-field rules
 * (sumOfProducts, notAfter, requiredWhen). Fields the definition does not declare are rejected.
 *
 * Normalisation rules worth knowing:
 * - strings are trimmed and re-cased as the field says, ASCII only (ASCII whitespace, a-z/A-Z;
 *   other characters are validated as received); an empty string after that counts as absent (so `required` fails and optional fields become null);
 * - decimals accept a JSON number or a decimal string, judged by their exact decimal text (no
 *   float tolerance), and are stored as numbers (as strings when the precision exceeds what a double holds exactly, 15 digits);
 * - timestamps must carry a zone and are stored as UTC ISO text with milliseconds;
 * - every declared field is present in the output, absent optional fields as null, in the
 *   definition's order, so equal input always gives equal output text.
 *
 * How it is compiled: `validatorSource` turns the definition into the source of one JavaScript
 * function with every field's checks written out in definition order (the way JSON-schema
 * compilers such as Ajv do), and `compileValidator` instantiates it. The per-record path then
 * reads no definition objects, builds the normalised record as one object literal (one hidden
 * class, so `JSON.stringify` takes its fast path) and builds paths and messages only when a rule
 * fails. Only constants derived from the definition are written into the source: names and
 * literals are escaped with `JSON.stringify`, and patterns and allowed sets are passed in as
 * objects, so a definition cannot inject code. Failure messages come from the helper functions
 * below, shared by every field. `tests/unit/ingest/validate-equivalence.test.ts` checks the
 * compiled function against a plain interpreter of the same rules on generated documents.
 */

/** What the validator needs to know besides the document. */
export interface ValidationContext {
    /**
     * The moment `maxFutureSkewSeconds` is measured from, in epoch milliseconds: the record's
     * stream time (when Kafka or Kinesis accepted it). Using the stream's clock rather than the
     * function's keeps the outcome the same when a batch is redelivered. `null` skips the check.
     */
    readonly referenceTimeMs: number | null;
}

export type ValidationResult =
    | {
          readonly ok: true;
          /** The normalised record: every declared field, in definition order. */
          readonly record: Record<string, unknown>;
          /** The event time in epoch milliseconds (from the dataset's `eventTimeField`). */
          readonly eventTimeMs: number;
      }
    | { readonly ok: false; readonly violations: readonly Violation[] };

/**
 * How a valid record's normalised form relates to the document it was read from, for a caller that
 * holds the document's JSON text and would serialise the record (see `classifyRecord`). Filled in
 * by `validate` when the record is valid and a layout is passed, else left as it was.
 */
export interface RecordLayout {
    /**
     * Bit i set: declared field i (definition order) is absent from the document (the record holds
     * null). -1 when the document's keys are not in definition order or the dataset declares more
     * than `maxLayoutFields` fields: the record's text cannot be derived from the document's.
     */
    absent: number;
    /**
     * Bit i set: declared field i is present but the record may hold another value than the
     * document. Every other present field holds the very value read (===); for an array of structs,
     * every item has exactly the declared members in definition order, each the very value read.
     */
    changed: number;
}

/** Datasets with more fields than this get no layout (absent is -1): the masks are 31-bit integers. */
export const maxLayoutFields = 30;

/** A validator compiled for one dataset. A plain object, safe to create inside a Lambda factory. */
export interface RecordValidator {
    readonly dataset: DatasetDefinition;
    validate(document: unknown, context: ValidationContext, layout?: RecordLayout): ValidationResult;
}

// ---------------------------------------------------------------------------------------------
// Failure reporting: called by the compiled function only when a rule fails.
// ---------------------------------------------------------------------------------------------

/** The rules of a scalar field, never undefined. */
function rulesOf(field: ScalarField): NonNullable<ScalarField["rules"]> {
    return field.rules ?? {};
}

/** The failure reporters, by what failed. `path` is the field's name or `array[index].member`. */
const report = {
    notAnObject: (document: unknown): ValidationResult => {
        const out: Violation[] = [];
        add(out, "type_mismatch", "type", "$", `expected a JSON object, found ${kindOf(document)}`);
        return { ok: false, violations: out };
    },
    unknownField: (out: Violation[], dataset: DatasetDefinition, name: string) =>
        add(out, "unknown_field", "schema", name, `dataset '${dataset.name}' does not declare this field; expected only ${dataset.fields.map((f) => f.name).join(", ")}`),
    unknownItemField: (out: Violation[], field: ArrayOfStructField, index: number, name: string) =>
        add(out, "unknown_field", "schema", `${field.name}[${index}].${name}`, `the dataset does not declare this field; expected only ${field.items.map((item) => item.name).join(", ")}`),
    missing: (out: Violation[], path: string, raw: unknown) =>
        add(out, "missing_required", "required", path, raw === "" || typeof raw === "string" ? "a value is required, found an empty string" : "a value is required, found none (missing or null)"),
    missingArray: (out: Violation[], field: ArrayOfStructField) => add(out, "missing_required", "required", field.name, "a value is required, found none (missing or null)"),
    mismatch: (out: Violation[], field: ScalarField, path: string, raw: unknown) =>
        add(out, "type_mismatch", "type", path, `expected ${expectedType(field)}, found ${kindOf(raw)} ${show(raw)}`),
    notAnArray: (out: Violation[], field: ArrayOfStructField, raw: unknown) => add(out, "type_mismatch", "type", field.name, `expected an array of objects, found ${kindOf(raw)} ${show(raw)}`),
    itemNotAnObject: (out: Violation[], field: ArrayOfStructField, index: number, item: unknown) =>
        add(out, "type_mismatch", "type", `${field.name}[${index}]`, `expected an object, found ${kindOf(item)} ${show(item)}`),
    minItems: (out: Violation[], field: ArrayOfStructField, count: number) => add(out, "item_count", "minItems", field.name, `expected at least ${field.minItems} items, found ${count}`),
    maxItems: (out: Violation[], field: ArrayOfStructField, count: number) => add(out, "item_count", "maxItems", field.name, `expected at most ${field.maxItems} items, found ${count}`),
    min: (out: Violation[], field: ScalarField, path: string, raw: unknown) => add(out, "out_of_range", "min", path, `expected a value >= ${rulesOf(field).min}, found ${show(raw)}`),
    max: (out: Violation[], field: ScalarField, path: string, raw: unknown) => add(out, "out_of_range", "max", path, `expected a value <= ${rulesOf(field).max}, found ${show(raw)}`),
    minLength: (out: Violation[], field: ScalarField, path: string, raw: unknown, length: number) =>
        add(out, "length_out_of_range", "minLength", path, `expected at least ${rulesOf(field).minLength} characters, found ${length} in ${show(raw)}`),
    maxLength: (out: Violation[], field: ScalarField, path: string, raw: unknown, length: number) =>
        add(out, "length_out_of_range", "maxLength", path, `expected at most ${rulesOf(field).maxLength} characters, found ${length} in ${show(raw)}`),
    pattern: (out: Violation[], field: ScalarField, path: string, raw: unknown) => add(out, "pattern_mismatch", "pattern", path, `expected a value matching ${rulesOf(field).pattern}, found ${show(raw)}`),
    allowed: (out: Violation[], field: ScalarField, path: string, raw: unknown) => add(out, "not_allowed", "allowed", path, `expected one of ${(rulesOf(field).allowed ?? []).join(", ")}, found ${show(raw)}`),
    scale: (out: Violation[], field: ScalarField, path: string, value: unknown) => add(out, "decimal_precision", "scale", path, `expected at most ${field.scale ?? 2} digits after the point, found ${show(value)}`),
    precision: (out: Violation[], field: ScalarField, path: string, value: unknown) => {
        const precision = field.precision ?? 18;
        const scale = field.scale ?? 2;
        add(out, "decimal_precision", "precision", path, `expected at most ${precision - scale} digits before the point (decimal(${precision},${scale})), found ${show(value)}`);
    },
    future: (out: Violation[], field: ScalarField, path: string, raw: unknown, epochMs: number, referenceTimeMs: number) => {
        const skew = rulesOf(field).maxFutureSkewSeconds;
        add(
            out,
            "future_timestamp",
            "maxFutureSkewSeconds",
            path,
            `expected at most ${skew} s after the stream time ${formatTimestamp(referenceTimeMs)}, found ${show(raw)} (${Math.round((epochMs - referenceTimeMs) / 1000)} s ahead); check the producer's clock`,
        );
    },
    noEventTime: (dataset: DatasetDefinition): ValidationResult => ({
        ok: false,
        violations: [
            { errorType: "missing_required", rule: "eventTimeField", field: dataset.eventTimeField, message: `${dataset.eventTimeField}: the event time is required to partition the record, found none` },
        ],
    }),
};

// ---------------------------------------------------------------------------------------------
// Checks too involved to write out per field: called by the compiled function on every record
// (the cross-field rules are in rules.ts).
// ---------------------------------------------------------------------------------------------

const decimalText = /^[+-]?(\d+)(?:\.(\d+))?$/;

/** The outcome of a decimal given as text: the stored value and its number, or why it failed. */
type DecimalTextResult = { readonly value: number | string; readonly numeric: number } | "mismatch" | "reported";

/** A decimal given as a string: shape, then scale, then precision. */
function checkDecimalText(out: Violation[], field: ScalarField, path: string, value: string): DecimalTextResult {
    return checkDecimalDigits(out, field, path, value, value.trim(), false);
}

/**
 * A decimal given as a JSON number, judged by its exact decimal text (not by a float tolerance,
 * which grows with magnitude and let 500000.0004 pass as decimal(12,2)). Stored as a number.
 */
function checkDecimalNumber(out: Violation[], field: ScalarField, path: string, value: number): DecimalTextResult {
    return checkDecimalDigits(out, field, path, value, decimalTextOfNumber(value), true);
}

function checkDecimalDigits(out: Violation[], field: ScalarField, path: string, value: string | number, text: string, asNumber: boolean): DecimalTextResult {
    const precision = field.precision ?? 18;
    const scale = field.scale ?? 2;
    const match = decimalText.exec(text);
    if (!match) {
        return "mismatch";
    }
    const numeric = Number(text);
    const integerDigits = (match[1] ?? "").replace(/^0+/, "").length;
    const fractionDigits = (match[2] ?? "").replace(/0+$/, "").length;
    if (fractionDigits > scale) {
        report.scale(out, field, path, value);
        return "reported";
    }
    if (integerDigits > precision - scale) {
        report.precision(out, field, path, value);
        return "reported";
    }
    if (precision > 15 && !asNumber) {
        return { value: canonicalDecimal(text), numeric };
    }
    const factor = 10 ** scale;
    const rounded = Math.round(numeric * factor) / factor;
    return { value: Object.is(rounded, -0) ? 0 : rounded, numeric };
}

/**
 * Everything the compiled function calls. Built when a validator is compiled, not at module level:
 * Pulumi's closure serialization copies captured module values property by property, so a
 * captured `Set` arrives without its internal slots and `has` throws (the same family as
 * pulumi/pulumi#1314; caught by `tests/unit/ingest/closure.test.ts`).
 */
function createHelpers() {
    return {
        add,
        report,
        checkDecimalText,
        checkDecimalNumber,
        checkCrossField,
        trimAscii,
        upperAscii,
        lowerAscii,
        parseTimestamp,
        isCanonicalTimestamp,
        formatTimestamp,
        isIsoDate,
        noneInvalid: new Set<string>() as ReadonlySet<string>,
        /** The names of the fields whose checked value is `undefined` (failed), given in definition order. */
        invalidFields: (dataset: DatasetDefinition, values: readonly unknown[]): ReadonlySet<string> =>
            new Set(dataset.fields.filter((_, i) => values[i] === undefined).map((field) => field.name)),
    };
}

/** Objects the compiled function refers to by index: field definitions, patterns, allowed sets. */
interface Constants {
    readonly dataset: DatasetDefinition;
    readonly fields: FieldDefinition[];
    readonly patterns: RegExp[];
    readonly allowed: ReadonlySet<string>[];
}

// ---------------------------------------------------------------------------------------------
// Code generation
// ---------------------------------------------------------------------------------------------

const identifierName = /^[a-z][a-z0-9_]*$/;

/** A JavaScript literal for a constant string or number. */
function literal(value: string | number): string {
    if (typeof value === "number" && !Number.isFinite(value)) {
        throw new DatasetDefinitionError(`validator: expected a finite number in the dataset definition, found ${value}; use a finite bound or limit`);
    }
    return JSON.stringify(value);
}

/** Source lines with indentation, so the generated function can be read when debugging. */
interface Source {
    line(text: string): void;
    /** `head {`, the body one level deeper, `}`. */
    block(head: string, body: () => void): void;
    text(): string;
}

/** A plain-object builder rather than a class: Pulumi's closure serializer loses class fields. */
function createSource(): Source {
    const lines: string[] = [];
    let depth = 1;
    const line = (text: string) => {
        lines.push(`${"    ".repeat(depth)}${text}`);
    };
    return {
        line,
        block: (head, body) => {
            line(`${head} {`);
            depth += 1;
            body();
            depth -= 1;
            line("}");
        },
        text: () => lines.join("\n"),
    };
}

/**
 * Writes the checks of one scalar value. `raw` names a variable holding the value as found,
 * `path` is an expression for the field path (evaluated only when a rule fails), and the code
 * assigns `target`: the normalised value, `null` for an absent optional value, or `undefined`
 * after reporting a violation. `epoch`, for timestamps, receives the epoch milliseconds.
 */
function writeScalar(src: Source, constants: Constants, field: ScalarField, raw: string, path: string, target: string, epoch?: string): void {
    const rules = rulesOf(field);
    constants.fields.push(field);
    const f = `F[${constants.fields.length - 1}]`;
    let patternRef: string | undefined;
    if (rules.pattern !== undefined) {
        constants.patterns.push(new RegExp(`^(?:${rules.pattern})$`));
        patternRef = `P[${constants.patterns.length - 1}]`;
    }
    let allowedRef: string | undefined;
    if (rules.allowed) {
        constants.allowed.push(new Set(rules.allowed));
        allowedRef = `A[${constants.allowed.length - 1}]`;
    }

    src.line(`let value = ${raw};`);
    if (field.type === "string") {
        src.block(`if (typeof value === "string")`, () => {
            if (field.normalise?.trim) {
                src.line("value = h.trimAscii(value);");
            }
            if (field.normalise?.case === "upper") {
                src.line("value = h.upperAscii(value);");
            } else if (field.normalise?.case === "lower") {
                src.line("value = h.lowerAscii(value);");
            }
            src.line(`if (value === "") value = null;`);
        });
    }
    src.block("if (value === undefined || value === null)", () => {
        if (field.required) {
            src.line(`h.report.missing(out, ${path}, ${raw});`);
            src.line(`${target} = undefined;`);
        } else {
            src.line(`${target} = null;`);
        }
    });
    const mismatch = `h.report.mismatch(out, ${f}, ${path}, ${raw}); ${target} = undefined;`;
    /** Writes the rules that follow a type check; `normalised` names the value to store, `numeric` its number. */
    const writeRules = (normalised: string, numeric?: string) => {
        src.line("let ok = true;");
        if (numeric !== undefined && rules.min !== undefined) {
            src.line(`if (${numeric} < ${literal(rules.min)}) { h.report.min(out, ${f}, ${path}, ${raw}); ok = false; }`);
        }
        if (numeric !== undefined && rules.max !== undefined) {
            src.line(`if (${numeric} > ${literal(rules.max)}) { h.report.max(out, ${f}, ${path}, ${raw}); ok = false; }`);
        }
        if (field.type === "string") {
            if (rules.minLength !== undefined) {
                src.line(`if (${normalised}.length < ${literal(rules.minLength)}) { h.report.minLength(out, ${f}, ${path}, ${raw}, ${normalised}.length); ok = false; }`);
            }
            if (rules.maxLength !== undefined) {
                src.line(`if (${normalised}.length > ${literal(rules.maxLength)}) { h.report.maxLength(out, ${f}, ${path}, ${raw}, ${normalised}.length); ok = false; }`);
            }
            if (patternRef !== undefined) {
                src.line(`if (!${patternRef}.test(${normalised})) { h.report.pattern(out, ${f}, ${path}, ${raw}); ok = false; }`);
            }
        }
        if (allowedRef !== undefined) {
            const text = field.type === "string" || field.type === "date" ? normalised : `String(${normalised})`;
            src.line(`if (!${allowedRef}.has(${text})) { h.report.allowed(out, ${f}, ${path}, ${raw}); ok = false; }`);
        }
        src.line(`${target} = ok ? ${normalised} : undefined;`);
    };
    /** `else if (<not this type>) mismatch; else { rules }`. */
    const typed = (wrongType: string, body: () => void) => {
        src.block(`else if (${wrongType})`, () => src.line(mismatch));
        src.block("else", body);
    };

    switch (field.type) {
        case "string":
            typed(`typeof value !== "string"`, () => writeRules("value"));
            break;
        case "int":
            typed(`typeof value !== "number" || !Number.isInteger(value) || value < -2147483648 || value > 2147483647`, () => writeRules("value", "value"));
            break;
        case "long":
            typed(`typeof value !== "number" || !Number.isSafeInteger(value)`, () => writeRules("value", "value"));
            break;
        case "double":
            typed(`typeof value !== "number" || !Number.isFinite(value)`, () => writeRules("value", "value"));
            break;
        case "boolean":
            typed(`typeof value !== "boolean"`, () => writeRules("value"));
            break;
        case "date":
            typed(`typeof value !== "string" || !h.isIsoDate(value)`, () => writeRules("value"));
            break;
        case "decimal": {
            src.block(`else if (typeof value === "number")`, () => {
                src.block("if (!Number.isFinite(value))", () => src.line(mismatch));
                const fits = decimalFitsTest(field);
                if (fits !== undefined) {
                    // The common case, decided with arithmetic instead of the number's text (see `decimalFitsTest`).
                    src.block(`else if (${fits})`, () => {
                        src.line("const stored = value === 0 ? 0 : value;");
                        writeRules("stored", "value");
                    });
                }
                src.block("else", () => {
                    src.line(`const checked = h.checkDecimalNumber(out, ${f}, ${path}, value);`);
                    src.block(`if (checked === "mismatch")`, () => src.line(mismatch));
                    src.block(`else if (checked === "reported")`, () => src.line(`${target} = undefined;`));
                    src.block("else", () => {
                        src.line("const stored = checked.value;");
                        writeRules("stored", "value");
                    });
                });
            });
            src.block(`else if (typeof value === "string")`, () => {
                src.line(`const checked = h.checkDecimalText(out, ${f}, ${path}, value);`);
                src.block(`if (checked === "mismatch")`, () => src.line(mismatch));
                src.block(`else if (checked === "reported")`, () => src.line(`${target} = undefined;`));
                src.block("else", () => {
                    src.line("const stored = checked.value;");
                    writeRules("stored", "checked.numeric");
                });
            });
            src.block("else", () => src.line(mismatch));
            break;
        }
        case "timestamp": {
            src.line(`else if (typeof value !== "string") { ${mismatch} }`);
            src.block("else", () => {
                src.line("const epochMs = h.parseTimestamp(value);");
                src.block("if (epochMs === undefined)", () => src.line(mismatch));
                const skew = rules.maxFutureSkewSeconds;
                if (skew !== undefined) {
                    src.block(`else if (context.referenceTimeMs !== null && epochMs > context.referenceTimeMs + ${literal(skew * 1000)})`, () => {
                        src.line(`h.report.future(out, ${f}, ${path}, ${raw}, epochMs, context.referenceTimeMs); ${target} = undefined;`);
                    });
                }
                src.block("else", () => {
                    if (epoch !== undefined) {
                        src.line(`${epoch} = epochMs;`);
                    }
                    src.line("const stored = h.isCanonicalTimestamp(value) ? value : h.formatTimestamp(epochMs);");
                    writeRules("stored");
                });
            });
            break;
        }
    }
}

/**
 * A JavaScript condition on a finite number `value` that holds exactly when `checkDecimalNumber`
 * would accept it as is: at most `scale` digits after the point and `precision - scale` before it
 * in its decimal text. Undefined when the field is too wide for the test (the text check then
 * runs for every value).
 *
 * Why it is exact, for f = 10^scale and precision at most 15 (so |value × f| < 10^15 < 2^53):
 * - if the text has at most `scale` fraction digits, it is k / f for an integer k; value × f is
 *   within a relative 2^-52 of k, so Math.round gives k, and k / f (a correctly rounded division)
 *   is the double nearest the text, which is `value`;
 * - if Math.round(value × f) / f === value, then value is the double nearest a decimal with at
 *   most `scale` fraction digits, and the shortest text that reads back as value (what
 *   `decimalTextOfNumber` gives) has no more fraction digits than that decimal: a shorter text
 *   with more fraction digits would have to start at a lower power of ten, and no two such texts
 *   that far apart read back as the same double.
 * The integer digits are within `precision - scale` exactly when |value| < 10^(precision - scale).
 * The stored value is then Math.round(value × f) / f, which is `value` itself (-0 stored as 0).
 */
function decimalFitsTest(field: ScalarField): string | undefined {
    const precision = field.precision ?? 18;
    const scale = field.scale ?? 2;
    if (!Number.isInteger(precision) || !Number.isInteger(scale) || scale < 0 || precision > 15 || precision < scale) {
        return undefined;
    }
    const factor = literal(10 ** scale);
    const bound = literal(10 ** (precision - scale));
    return `value > -${bound} && value < ${bound} && Math.round(value * ${factor}) / ${factor} === value`;
}

/** Writes the checks of an array-of-structs field; assigns `target` like `writeScalar`. */
function writeArray(src: Source, constants: Constants, field: ArrayOfStructField, raw: string, target: string, changedBit?: string): void {
    constants.fields.push(field);
    const f = `F[${constants.fields.length - 1}]`;
    src.block(`if (${raw} === undefined || ${raw} === null)`, () => {
        src.line(field.required ? `h.report.missingArray(out, ${f}); ${target} = undefined;` : `${target} = null;`);
    });
    src.block(`else if (!Array.isArray(${raw}))`, () => src.line(`h.report.notAnArray(out, ${f}, ${raw}); ${target} = undefined;`));
    src.block("else", () => {
        src.line("let itemsOk = true;");
        if (field.minItems !== undefined) {
            src.line(`if (${raw}.length < ${literal(field.minItems)}) { h.report.minItems(out, ${f}, ${raw}.length); itemsOk = false; }`);
        }
        if (field.maxItems !== undefined) {
            src.line(`if (${raw}.length > ${literal(field.maxItems)}) { h.report.maxItems(out, ${f}, ${raw}.length); itemsOk = false; }`);
        }
        if (changedBit === undefined) {
            src.line("const items = [];");
        } else {
            // Whether every item so far has exactly the declared members, in order, each stored as
            // read. While it holds the items are the ones read, so `items` is only built from the
            // first item that differs (or is skipped) on: a normalised item is what JSON.stringify
            // writes the same way as the item read whenever the two hold the same members in the
            // same order.
            src.line("let itemsSame = true;");
            src.line("let items;");
        }
        src.block(`for (let index = 0; index < ${raw}.length; index += 1)`, () => {
            // Holes in a sparse array are skipped, as Array.prototype.forEach does.
            const skip = changedBit === undefined ? "continue;" : `if (itemsSame) { itemsSame = false; items = ${raw}.slice(0, index); } continue;`;
            src.line(`if (!(index in ${raw})) { ${skip} }`);
            src.line(`const item = ${raw}[index];`);
            src.block(`if (typeof item !== "object" || item === null || Array.isArray(item))`, () => {
                src.line(`h.report.itemNotAnObject(out, ${f}, index, item); itemsOk = false; ${skip}`);
            });
            if (changedBit !== undefined) {
                src.line("let position = 0;");
                src.line("const sameBefore = itemsSame;");
            }
            src.block("for (const name in item)", () => {
                src.block("if (hasOwn.call(item, name))", () => {
                    src.block("switch (name)", () => {
                        if (changedBit !== undefined) {
                            field.items.forEach((member, i) => src.line(`case ${literal(member.name)}: if (position !== ${i}) itemsSame = false; break;`));
                        } else {
                            src.line(`${field.items.map((member) => `case ${literal(member.name)}:`).join(" ")} break;`);
                        }
                        src.line(`default: h.report.unknownItemField(out, ${f}, index, name); itemsOk = false;`);
                    });
                    if (changedBit !== undefined) {
                        src.line("position += 1;");
                    }
                });
            });
            if (changedBit !== undefined) {
                src.line(`if (position !== ${field.items.length}) itemsSame = false;`);
            }
            const members = field.items.map((_, i) => `m${i}`);
            src.line(`let ${members.join(", ")};`);
            field.items.forEach((member, i) => {
                src.block(`/* ${member.name} */`, () => {
                    src.line(`const found = item[${literal(member.name)}];`);
                    writeScalar(src, constants, member, "found", `${literal(`${field.name}[`)} + index + ${literal(`].${member.name}`)}`, `m${i}`);
                    if (changedBit !== undefined) {
                        src.line(`if (m${i} !== found) itemsSame = false;`);
                    }
                });
            });
            src.line(`if (${members.map((m) => `${m} === undefined`).join(" || ")}) itemsOk = false;`);
            const normalised = `{ ${field.items.map((member, i) => `${literal(member.name)}: m${i} ?? null`).join(", ")} }`;
            if (changedBit === undefined) {
                src.line(`items.push(${normalised});`);
            } else {
                src.line(`if (!itemsSame) { if (sameBefore) items = ${raw}.slice(0, index); items.push(${normalised}); }`);
            }
        });
        if (changedBit !== undefined) {
            src.line(`if (!itemsSame) changed |= ${changedBit};`);
            src.line(`${target} = itemsOk ? (itemsSame ? ${raw} : items) : undefined;`);
        } else {
            src.line(`${target} = itemsOk ? items : undefined;`);
        }
    });
}

/**
 * The source of the validation function for a dataset: the body of a function of
 * `(h, F, P, A, dataset)` (helpers, field definitions, patterns, allowed sets, the definition)
 * that returns `validate(document, context, layout)`.
 */
export function validatorSource(dataset: DatasetDefinition): string {
    return generate(dataset).source;
}

function generate(dataset: DatasetDefinition): { readonly source: string; readonly constants: Constants } {
    for (const field of dataset.fields) {
        const names = field.type === "array" ? [field.name, ...field.items.map((item) => item.name)] : [field.name];
        const bad = names.find((name) => !identifierName.test(name));
        if (bad !== undefined) {
            throw new DatasetDefinitionError(`dataset '${dataset.name}': field name ${JSON.stringify(bad)} must be lower snake case (${identifierName}); rename it`);
        }
    }
    const constants: Constants = { dataset, fields: [], patterns: [], allowed: [] };
    const src = createSource();
    const values = dataset.fields.map((_, i) => `v${i}`);
    const eventIndex = dataset.fields.findIndex((field) => field.name === dataset.eventTimeField);
    const eventField = dataset.fields[eventIndex];
    const eventFromCheck = eventField !== undefined && eventField.type === "timestamp";

    src.block(`if (typeof document !== "object" || document === null || Array.isArray(document))`, () => src.line("return h.report.notAnObject(document);"));
    src.line("const out = [];");
    // The layout (see `RecordLayout`): whether the keys come in definition order (each after the
    // last one seen), and which fields are absent or stored changed.
    const tracked = dataset.fields.length <= maxLayoutFields;
    if (tracked) {
        src.line("let ordered = true, last = -1, absent = 0, changed = 0;");
    }
    src.block("for (const name in document)", () => {
        src.block("if (hasOwn.call(document, name))", () => {
            src.block("switch (name)", () => {
                if (tracked) {
                    dataset.fields.forEach((field, i) => src.line(`case ${literal(field.name)}: if (last >= ${i}) ordered = false; last = ${i}; break;`));
                } else {
                    src.line(`${dataset.fields.map((field) => `case ${literal(field.name)}:`).join(" ")} break;`);
                }
                src.line("default: h.report.unknownField(out, dataset, name);");
            });
        });
    });
    src.line(`let ${values.join(", ")};`);
    if (eventFromCheck) {
        src.line("let eventTimeMs;");
    }
    dataset.fields.forEach((field, i) => {
        src.block(`/* ${field.name} */`, () => {
            src.line(`const raw = document[${literal(field.name)}];`);
            const bit = literal(2 ** i);
            if (field.type === "array") {
                writeArray(src, constants, field, "raw", `v${i}`, tracked ? bit : undefined);
                if (tracked) {
                    src.line(`if (raw === undefined) absent |= ${bit};`);
                }
            } else {
                writeScalar(src, constants, field, "raw", literal(field.name), `v${i}`, eventFromCheck && i === eventIndex ? "eventTimeMs" : undefined);
                if (tracked) {
                    src.line(`if (v${i} !== raw) { if (raw === undefined) absent |= ${bit}; else changed |= ${bit}; }`);
                }
            }
        });
    });
    src.line(`const record = { ${dataset.fields.map((field, i) => `${literal(field.name)}: v${i} ?? null`).join(", ")} };`);
    if (dataset.crossFieldRules.length > 0) {
        // With no violation so far no field failed; otherwise the failed fields are collected (rare).
        src.line(
            `const invalid = out.length === 0 ? h.noneInvalid : h.invalidFields(dataset, [${values.join(", ")}]);`,
        );
        dataset.crossFieldRules.forEach((_, i) => src.line(`h.checkCrossField(out, dataset.crossFieldRules[${i}], record, invalid);`));
    }
    src.line("if (out.length > 0) return { ok: false, violations: out };");
    if (eventFromCheck) {
        src.line("if (record[" + literal(dataset.eventTimeField) + "] === null) return h.report.noEventTime(dataset);");
    } else {
        src.line(`const eventTime = record[${literal(dataset.eventTimeField)}];`);
        src.line(`const eventTimeMs = typeof eventTime === "string" ? h.parseTimestamp(eventTime) : undefined;`);
        src.line("if (eventTimeMs === undefined) return h.report.noEventTime(dataset);");
    }
    src.block("if (layout !== undefined)", () => {
        if (tracked) {
            src.line("layout.absent = ordered ? absent : -1;");
            src.line("layout.changed = changed;");
        } else {
            src.line("layout.absent = -1;");
            src.line("layout.changed = 0;");
        }
    });
    src.line("return { ok: true, record, eventTimeMs };");

    const source = [
        `"use strict";`,
        "const hasOwn = Object.prototype.hasOwnProperty;",
        `return function validate_${dataset.name.replace(/[^a-z0-9_]/g, "_")}(document, context, layout) {`,
        src.text(),
        "};",
    ].join("\n");
    return { source, constants };
}

/*
 * Validators compiled so far, by dataset definition. A validator holds no state between records,
 * so every caller with the same definition can share one: its generated function is compiled and
 * optimised by V8 once per process instead of once per caller. That matters where a validator is
 * made per unit of work, such as each change file the CDC function lands, or each handler a test
 * or a local run creates; the stream ingest function makes one per container either way.
 * Definitions are immutable (`readonly` throughout), and a changed copy is another key.
 * The map lives on `globalThis`, created on first use: Pulumi's closure serialization captures a
 * module-level WeakMap (or a symbol key) as a plain object, which is neither; a global name it
 * leaves alone.
 */
function compiledValidators(): WeakMap<DatasetDefinition, RecordValidator> {
    const holder = globalThis as unknown as { etlPlatformCompiledValidators?: WeakMap<DatasetDefinition, RecordValidator> };
    return (holder.etlPlatformCompiledValidators ??= new WeakMap());
}

/** The validator of a dataset definition, compiled on first use and shared after (see `compiledValidators`). */
export function compileValidator(dataset: DatasetDefinition): RecordValidator {
    const cache = compiledValidators();
    let validator = cache.get(dataset);
    if (validator === undefined) {
        validator = compileValidatorOnce(dataset);
        cache.set(dataset, validator);
    }
    return validator;
}

function compileValidatorOnce(dataset: DatasetDefinition): RecordValidator {
    const { source, constants } = generate(dataset);
    let compiled: unknown;
    try {
        compiled = new Function("h", "F", "P", "A", "dataset", source);
    } catch (error) {
        throw new ConfigurationError(
            "NODE_OPTIONS",
            `the validator of dataset '${dataset.name}' is compiled to a function at start-up, and this process does not allow code generation from strings (${describeError(error)}); remove --disallow-code-generation-from-strings from NODE_OPTIONS or the node command line`,
            { cause: error },
        );
    }
    const build = compiled as (
        h: ReturnType<typeof createHelpers>,
        fields: readonly FieldDefinition[],
        patterns: readonly RegExp[],
        allowed: readonly ReadonlySet<string>[],
        dataset: DatasetDefinition,
    ) => RecordValidator["validate"];
    const validate = build(createHelpers(), constants.fields, constants.patterns, constants.allowed, dataset);
    return { dataset, validate };
}
