import * as assert from "assert";
import { ConfigKey, ConfigProblem, ConfigReader } from "../../../infra/config/reader";

/**
 * A reader over one area's keys alone, with the given values (short names, without `platform:`),
 * so each area parser is tested without the rest of the stack file.
 */
export function readArea(keys: readonly ConfigKey[], values: Record<string, string> = {}, options: { secretKeys?: string[]; extra?: Record<string, string> } = {}): ConfigReader {
    const full: Record<string, string> = { ...options.extra };
    for (const [name, value] of Object.entries(values)) {
        full[`platform:${name}`] = value;
    }
    return new ConfigReader({ project: "platform", stack: "dev", values: full, secretKeys: new Set((options.secretKeys ?? []).map((k) => `platform:${k}`)) }, keys);
}

/** One bad value for an area and the single problem it must produce, word for word. */
export interface BadValue {
    readonly title: string;
    readonly values: Record<string, string>;
    readonly problem: ConfigProblem;
}

/**
 * Declares one test per bad value: the parser reports exactly that problem and nothing else.
 * `extra` holds full keys outside the area that every case needs (such as `aws:region`).
 */
export function rejectsEach(keys: readonly ConfigKey[], parse: (reader: ConfigReader) => unknown, cases: readonly BadValue[], extra: Record<string, string> = {}): void {
    for (const bad of cases) {
        it(`rejects ${bad.title}, naming the key, the expectation, the value found and the fix`, () => {
            const reader = readArea(keys, bad.values, { extra });
            parse(reader);
            assert.deepStrictEqual(reader.problems, [bad.problem]);
        });
    }
}

/** Parses an area from the given values and asserts that nothing was reported. */
export function parseClean<T>(keys: readonly ConfigKey[], parse: (reader: ConfigReader) => T, values: Record<string, string> = {}, extra: Record<string, string> = {}): T {
    const reader = readArea(keys, values, { extra });
    const parsed = parse(reader);
    assert.deepStrictEqual(reader.problems, []);
    return parsed;
}
