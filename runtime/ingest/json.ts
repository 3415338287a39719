import { describeError } from "../common/errors";
import { canonicalDecimal, decimalTextOfNumber, expandExponent } from "./rules";
import { Violation } from "./types";

/**
 * The parse step of a payload: JSON text to the object the validator judges. Beyond JSON.parse it
 * decides three things JSON.parse decides silently or not at all:
 * - a UTF-8 byte-order mark before the JSON is ignored (RFC 8259 §8.1 lets parsers ignore it;
 *   .NET and Windows producers write one), so it does not make a good order a `not_json` reject;
 * - duplicate member names are a `not_json` reject naming the key: JSON.parse keeps the last
 *   value, other readers (Spark, Athena) may keep the first, so the record would mean different
 *   things downstream;
 * - nesting deeper than `maxJsonDepth` is a `not_json` reject: no dataset declares more than
 *   three levels, and deeper values would only make every later step walk them;
 * - a number written with more significant digits than a double holds (`31.500000000000001`
 *   reads as 31.5) is a `decimal_precision` reject naming its field: landing the rounded value
 *   would change the amount silently. Numbers a double does hold, however long their text
 *   (`0.30000000000000004`), pass.
 * The checks cost one walk of the parsed value and, in the common case, one pass over the quotes of
 * the text (see `textFacts`).
 */

/** Objects and arrays nested deeper than this are rejected (datasets use at most 3 levels). */
export const maxJsonDepth = 64;

const stringToken = /"(?:[^"\\]|\\.)*"/g;

function violation(rule: string, message: string): Violation {
    return { errorType: "not_json", rule, field: "value", message: `value: ${message}` };
}

/**
 * What the checks need to know about valid JSON text besides its parsed value: how many string
 * tokens (member names and string values) it has, and whether it may hold a number of 16 digits
 * or more (see `longNumberToken`).
 */
interface TextFacts {
    readonly strings: number;
    readonly longNumber: boolean;
    /** The text is exactly what JSON.stringify writes for its parsed value (see `canonicalStretch`). */
    readonly canonical: boolean;
}

/**
 * One pass over the quotes of valid JSON text. Without escapes every quote opens or closes a
 * string, so the text between a closing quote and the next opening one is outside strings, which
 * is where numbers (and the ':', ',' or '[' before them) are; only such stretches of 16
 * characters or more are searched for a long number, so the digits of ids and timestamps inside
 * strings are never looked at. With escapes a quote may be inside a string: the tokens are
 * counted with the full pattern and the whole text is searched.
 * The same pass tells whether the text is canonical: text with an escape never is (JSON.stringify
 * writes a few, but telling which would cost more than it saves), and without escapes the strings
 * are written as JSON.stringify writes them, so only the stretches outside strings are checked
 * (`canonicalStretch`; those of one character are a lone ':', ',' or the opening '{'), and the
 * member names: one starting with a digit may be an array index, which V8 lists before the other
 * names whatever the text's order, so it makes the text not canonical.
 */
function textFacts(text: string): TextFacts {
    if (text.indexOf("\\") >= 0) {
        return { strings: text.match(stringToken)?.length ?? 0, longNumber: longNumberToken.test(text), canonical: false };
    }
    let quotes = 0;
    let longNumber = false;
    let canonical = true;
    let opened = 0;
    let outsideFrom = 0;
    for (let at = text.indexOf('"'); ; at = text.indexOf('"', at + 1)) {
        const outsideTo = at < 0 ? text.length : at;
        if (quotes % 2 === 0) {
            if (!longNumber && outsideTo - outsideFrom >= 16) {
                longNumber = longNumberToken.test(text.slice(outsideFrom, outsideTo));
            }
            if (canonical && outsideTo - outsideFrom > 1) {
                canonical = canonicalStretch(text, outsideFrom, outsideTo);
            }
            opened = at;
        } else if (text.charCodeAt(at + 1) === 0x3a /* : */) {
            // A member name starting with a digit may be an array index, which V8 lists first.
            const first = text.charCodeAt(opened + 1);
            if (first >= 0x30 && first <= 0x39) {
                canonical = false;
            }
        }
        if (at < 0) {
            return { strings: quotes / 2, longNumber, canonical: canonical && !longNumber };
        }
        quotes += 1;
        if (quotes % 2 === 0) {
            outsideFrom = at + 1;
        }
    }
}

/**
 * Whether a stretch of valid JSON text outside strings, [from, to), is as JSON.stringify writes it:
 * no whitespace, and every number as `String(number)` prints it. Outside strings valid JSON holds
 * only punctuation, `true`, `false`, `null`, whitespace and numbers, and a number is always
 * followed by punctuation or whitespace within the stretch. A number qualifies when its text has
 * no exponent (`e` or `E` after a digit; the `e` of `true` follows a letter), no trailing zero after
 * a point (`1.50`, `1.0`), is not `-0` (printed `0`), is not below 1e-6 (`0.0000001`, printed
 * `1e-7`), and has at most 15 digits (checked by the caller: `longNumber`). Such a decimal is the
 * only one of at most 15 significant digits that reads as its double, so the shortest text of that
 * double, which String prints, has the same digits, written the same way between 1e-6 and 1e21.
 * Numbers String would print the same otherwise (`1e+21`) count as not canonical: the caller then
 * serialises the value, which is always right. One loop without calls: it runs for most stretches.
 */
function canonicalStretch(text: string, from: number, to: number): boolean {
    let previous = 0;
    let beforePrevious = 0;
    let fraction = false;
    for (let at = from; at < to; at += 1) {
        const c = text.charCodeAt(at);
        if (c >= 0x30 && c <= 0x39) {
            // "-0" not followed by a point.
            if (c === 0x30 && previous === 0x2d && text.charCodeAt(at + 1) !== 0x2e) {
                return false;
            }
        } else if (c === 0x2e) {
            // "0." (integer part zero) followed by six zeros is below 1e-6.
            if (previous === 0x30 && !(beforePrevious >= 0x30 && beforePrevious <= 0x39) && text.startsWith("000000", at + 1)) {
                return false;
            }
            fraction = true;
        } else {
            if (fraction) {
                if (previous === 0x30) {
                    return false;
                }
                fraction = false;
            }
            if (c <= 0x20 || c === 0x2b || ((c === 0x65 || c === 0x45) && previous >= 0x30 && previous <= 0x39)) {
                return false;
            }
        }
        beforePrevious = previous;
        previous = c;
    }
    return true;
}

/** The first member name that repeats within one object, found by scanning the (valid) text. */
function firstDuplicateKey(text: string): string | undefined {
    const scopes: (Set<string> | null)[] = [];
    stringToken.lastIndex = 0;
    for (let at = 0; at < text.length; at += 1) {
        const c = text[at];
        if (c === "{") {
            scopes.push(new Set());
        } else if (c === "[") {
            scopes.push(null);
        } else if (c === "}" || c === "]") {
            scopes.pop();
        } else if (c === '"') {
            stringToken.lastIndex = at;
            const token = stringToken.exec(text)?.[0] ?? '""';
            at += token.length - 1;
            const scope = scopes[scopes.length - 1];
            if (scope && /^\s*:/.test(text.slice(at + 1, at + 8))) {
                const name = JSON.parse(token) as string;
                if (scope.has(name)) {
                    return name;
                }
                scope.add(name);
            }
        }
    }
    return undefined;
}

/** A number token of JSON text: sign, integer, fraction, exponent. */
const numberToken = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Significant digits of a number token's mantissa (leading and trailing zeros do not count). */
function significantDigits(token: string): number {
    const mantissa = token.replace(/^-/, "").replace(/[eE].*$/, "").replace(".", "");
    return mantissa.replace(/^0+/, "").replace(/0+$/, "").length;
}

/**
 * Where a number token of valid JSON text with 16 or more digits can start: a number is a value,
 * so it follows `:`, `,` or `[` (and JSON whitespace); its mantissa then runs on for 16 or more
 * digits and at most one point. Anchoring on the character before the value, rather than looking
 * for any run of 16 digits, passes over the digits inside strings (ids, timestamps) at once.
 */
const longNumberToken = /[:,[][ \t\n\r]*-?[0-9][0-9.]{15}/;

/**
 * The first number of valid JSON text whose value a double does not hold exactly, with its path
 * (`line_items[2].unit_price`), or undefined. Called only for texts that may hold a number of 16
 * digits or more (`textFacts`).
 */
function firstInexactNumber(text: string): { readonly path: string; readonly token: string } | undefined {
    // One frame per open object (the current member name) or array (the current index).
    const frames: ({ kind: "object"; key: string } | { kind: "array"; index: number })[] = [];
    const pathOf = () => frames.map((f, i) => (f.kind === "array" ? `[${f.index}]` : i === 0 ? f.key : `.${f.key}`)).join("");
    for (let at = 0; at < text.length; at += 1) {
        const c = text[at];
        if (c === "{") {
            frames.push({ kind: "object", key: "" });
        } else if (c === "[") {
            frames.push({ kind: "array", index: 0 });
        } else if (c === "}" || c === "]") {
            frames.pop();
        } else if (c === ",") {
            const frame = frames[frames.length - 1];
            if (frame?.kind === "array") {
                frame.index += 1;
            }
        } else if (c === '"') {
            stringToken.lastIndex = at;
            const token = stringToken.exec(text)?.[0] ?? '""';
            at += token.length - 1;
            const frame = frames[frames.length - 1];
            if (frame?.kind === "object" && /^\s*:/.test(text.slice(at + 1, at + 8))) {
                frame.key = JSON.parse(token) as string;
            }
        } else if (c === "-" || (c >= "0" && c <= "9")) {
            numberToken.lastIndex = at;
            const token = numberToken.exec(text)?.[0] ?? c;
            at += token.length - 1;
            if (significantDigits(token) > 15 && canonicalDecimal(expandExponent(token)) !== canonicalDecimal(decimalTextOfNumber(Number(token)))) {
                return { path: pathOf() || "$", token };
            }
        }
    }
    return undefined;
}

/**
 * The member names and string values a parsed value holds, or -1 when it nests objects or arrays
 * deeper than `maxJsonDepth` (`depth` is the value's own level, 1 for the document). Recursion is
 * safe: it stops at that depth.
 */
function countStrings(value: object, depth: number): number {
    if (depth > maxJsonDepth) {
        return -1;
    }
    let strings = 0;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) {
            const inner = stringsIn(value[i], depth);
            if (inner < 0) {
                return -1;
            }
            strings += inner;
        }
        return strings;
    }
    for (const name in value) {
        const inner = stringsIn((value as Record<string, unknown>)[name], depth);
        if (inner < 0) {
            return -1;
        }
        strings += 1 + inner;
    }
    return strings;
}

/** The strings one member or item of a value at level `depth` holds: 1 for a string, its own count for an object or array. */
function stringsIn(item: unknown, depth: number): number {
    if (typeof item === "string") {
        return 1;
    }
    return typeof item === "object" && item !== null ? countStrings(item, depth + 1) : 0;
}

/** A payload that parsed to a JSON object. */
export interface ParsedJsonObject {
    readonly document: Record<string, unknown>;
    /**
     * The text (without a byte-order mark) when it is exactly what JSON.stringify writes for
     * `document`, so a caller that would serialise an unchanged document can use it instead;
     * undefined when it is not, or when telling would cost too much (any backslash escape, a
     * number with an exponent or more than 15 digits, a member name starting with a digit).
     * Assumes well-formed text (no lone surrogates, which JSON.stringify would escape), as text
     * decoded from bytes always is.
     */
    readonly canonicalText: string | undefined;
}

/** Parses payload text to a JSON object, or says why it is not one. */
export function parseJsonObject(text: string): ParsedJsonObject | { readonly violation: Violation } {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    let document: unknown;
    try {
        document = JSON.parse(body);
    } catch (error) {
        return { violation: violation("json", `expected a JSON document, found text that does not parse (${describeError(error)})`) };
    }
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
        const kind = Array.isArray(document) ? "an array" : document === null ? "null" : `a ${typeof document}`;
        return { violation: { errorType: "not_object", rule: "json", field: "value", message: `value: expected a JSON object, found ${kind}` } };
    }
    const strings = countStrings(document, 1);
    if (strings < 0) {
        return { violation: violation("maxDepth", `expected at most ${maxJsonDepth} levels of nested objects and arrays, found more; flatten the document`) };
    }
    const facts = textFacts(body);
    // A repeated member name is a string token of the text the parsed value no longer holds.
    if (facts.strings !== strings) {
        const name = firstDuplicateKey(body);
        return { violation: violation("duplicateKey", `expected each member name once per object, found ${JSON.stringify(name)} more than once; send one value per name`) };
    }
    const inexact = facts.longNumber ? firstInexactNumber(body) : undefined;
    if (inexact) {
        const read = decimalTextOfNumber(Number(inexact.token));
        return {
            violation: {
                errorType: "decimal_precision",
                rule: "exactNumber",
                field: inexact.path,
                message: `${inexact.path}: expected a number a JSON reader keeps exactly, found ${inexact.token}, which every reader rounds to ${read}; send decimals with more than 15 significant digits as a string`,
            },
        };
    }
    return { document: document as Record<string, unknown>, canonicalText: facts.canonical ? body : undefined };
}

/** Printable ASCII other than `"` and `\`: the characters JSON.stringify writes as they are. */
const plainJsonText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `JSON.stringify(text)`, quoting plain text (offsets, most keys) directly instead. */
export function jsonString(text: string): string {
    return plainJsonText.test(text) ? `"${text}"` : JSON.stringify(text);
}
