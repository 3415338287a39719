/**
 * Reading resource inputs the same way whether they come from the offline plan (mock run), a
 * `pulumi preview --json` document, or a CrossGuard PolicyResource: secrets are unwrapped,
 * values computed by the provider become `unknown`, and reading one where a number is needed is a
 * clear "not priced" rather than a guess.
 */

/** Marker for a value not known before apply (a preview's computed value). */
export class Unknown {
    static readonly instance = new Unknown();
    private constructor() {}
    toJSON(): string {
        return "<unknown>";
    }
}

export const unknown = Unknown.instance;

/** The sentinel `pulumi preview --json` writes for values computed by the provider. */
export const previewUnknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Pulumi's unknown sentinels per value kind (string, boolean, number, array, asset, archive, object). */
const unknownSentinels = new Set([
    previewUnknownSentinel,
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
/** The signature key Pulumi uses to mark secrets in serialized property values. */
const secretSignatureKey = "4dabf18193072939515e22adb298388d";
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

export class UnknownInputError extends Error {
    readonly field: string;
    constructor(field: string) {
        super(`${field} is not known until the resource is created (a computed value in the preview)`);
        this.name = "UnknownInputError";
        this.field = field;
    }
}

/** An error raised by the policy SDK's unknown-checking proxy (or its look-alikes). */
function isUnknownAccess(err: unknown): boolean {
    return err instanceof Error && (err.name === "UnknownValueError" || err.constructor.name === "UnknownValueError");
}

/**
 * A plain, deep copy of property values: secrets unwrapped ("[secret]" stays a string), the
 * preview's unknown sentinel and proxy-guarded unknowns replaced by `unknown`.
 */
export function normalizeInputs(value: unknown, depth = 0): unknown {
    if (depth > 64) {
        return unknown;
    }
    if (typeof value === "string" && unknownSentinels.has(value)) {
        return unknown;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (value instanceof Unknown) {
        return value;
    }
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        const length = value.length;
        for (let i = 0; i < length; i++) {
            out.push(readSafely(value, i, depth));
        }
        return out;
    }
    const record = value as Record<string, unknown>;
    let keys: string[];
    try {
        keys = Object.keys(record);
    } catch (err) {
        if (isUnknownAccess(err)) {
            return unknown;
        }
        throw err;
    }
    if (keys.includes(secretSignatureKey) && readSafely(record, secretSignatureKey, depth) === secretSignature) {
        return readSafely(record, "value", depth);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
        out[key] = readSafely(record, key, depth);
    }
    return out;
}

function readSafely(container: Record<string, unknown> | unknown[], key: string | number, depth: number): unknown {
    try {
        return normalizeInputs((container as Record<string | number, unknown>)[key], depth + 1);
    } catch (err) {
        if (isUnknownAccess(err)) {
            return unknown;
        }
        throw err;
    }
}

export function isUnknown(value: unknown): value is Unknown {
    return value instanceof Unknown;
}

/** A number from an input: numbers and numeric strings; `fallback` when absent; throws when unknown. */
export function readNumber(value: unknown, field: string, fallback?: number): number {
    if (isUnknown(value)) {
        throw new UnknownInputError(field);
    }
    if (value === undefined || value === null || value === "") {
        if (fallback === undefined) {
            throw new InvalidInputError(field, "a number", "nothing");
        }
        return fallback;
    }
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
    if (!Number.isFinite(n)) {
        throw new InvalidInputError(field, "a number", JSON.stringify(value));
    }
    return n;
}

/** A string from an input; `fallback` when absent; throws when unknown. */
export function readString(value: unknown, field: string, fallback?: string): string {
    if (isUnknown(value)) {
        throw new UnknownInputError(field);
    }
    if (value === undefined || value === null) {
        if (fallback === undefined) {
            throw new InvalidInputError(field, "a string", "nothing");
        }
        return fallback;
    }
    if (typeof value !== "string") {
        throw new InvalidInputError(field, "a string", JSON.stringify(value));
    }
    return value;
}

/** The length of a list input, or undefined when the list (not just its items) is unknown or absent. */
export function knownLength(value: unknown): number | undefined {
    return Array.isArray(value) ? value.length : undefined;
}

export class InvalidInputError extends Error {
    constructor(field: string, expected: string, found: string) {
        super(`${field}: expected ${expected}; found ${found}`);
        this.name = "InvalidInputError";
    }
}
