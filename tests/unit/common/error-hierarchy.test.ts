import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigurationError, PlatformError } from "../../../runtime/common/errors";
import { DatasetDefinitionError, orders } from "../../../runtime/datasets";
import { aggregateFields } from "../../../runtime/datasets/schema";
import { createOrderGenerator } from "../../../runtime/producers/orders";
import { hourTag } from "../../../runtime/spark/spec";

/**
 * Runtime code throws only the project's errors (runtime/common/errors.ts and the per-area classes
 * built on it): they keep their message, cause and `instanceof` chain inside deployed handlers and
 * name the setting or field at fault. A plain `Error` (or a built-in subclass) must not come back.
 */
const runtimeDir = path.resolve(__dirname, "..", "..", "..", "runtime");

/** Places allowed to name a built-in error class, each with the reason. */
const allowed: readonly { readonly file: string; readonly text: string; readonly reason: string }[] = [
    { file: "common/errors.ts", text: "class PlatformError extends Error", reason: "the root of the hierarchy" },
];

const forbidden = /\b(?:new|throw|extends)\s+(?:Error|TypeError|RangeError|SyntaxError|EvalError|ReferenceError|URIError)\b\s*[({]?/g;

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Every use of a built-in error class in runtime/, as `file:line: text`, minus the allowed ones. */
function builtInErrorUses(): { readonly found: string[]; readonly unusedAllowances: string[] } {
    const found: string[] = [];
    const used = new Set<string>();
    for (const file of sourceFiles(runtimeDir)) {
        const relative = path.relative(runtimeDir, file).split(path.sep).join("/");
        fs.readFileSync(file, "utf8")
            .split("\n")
            .forEach((line, index) => {
                if (!forbidden.test(line)) {
                    return;
                }
                forbidden.lastIndex = 0;
                const allowance = allowed.find((entry) => entry.file === relative && line.includes(entry.text));
                if (allowance) {
                    used.add(`${allowance.file}: ${allowance.text}`);
                } else {
                    found.push(`runtime/${relative}:${index + 1}: ${line.trim()}`);
                }
            });
    }
    return { found, unusedAllowances: allowed.map((entry) => `${entry.file}: ${entry.text}`).filter((entry) => !used.has(entry)) };
}

describe("runtime errors come from one hierarchy", () => {
    it("no runtime module creates, throws or extends a built-in Error class outside the allow-list", () => {
        const { found, unusedAllowances } = builtInErrorUses();
        assert.deepStrictEqual(found, [], `use PlatformError, ConfigurationError or an area's error class instead:\n${found.join("\n")}`);
        assert.deepStrictEqual(unusedAllowances, [], "allow-list entries that match nothing any more; remove them");
    });

    it("a bad dataset projection is a DatasetDefinitionError that names the aggregate, the column and the fix", () => {
        const dataset = { ...orders, aggregates: [{ name: "bad", groupBy: ["no_such_column"], measures: [] }] } as unknown as typeof orders;
        assert.throws(
            () => aggregateFields(dataset, (dataset as unknown as { aggregates: Parameters<typeof aggregateFields>[1][] }).aggregates[0]!),
            (error: unknown) =>
                error instanceof DatasetDefinitionError &&
                error instanceof PlatformError &&
                /aggregate 'bad': group-by column 'no_such_column' must be a scalar curated column; found no such column; name a scalar column/.test(error.message),
        );
    });

    it("a window bound off the hour is a ConfigurationError naming the setting, the expected form and the fix", () => {
        assert.throws(
            () => hourTag("2024-05-01T00:30:00Z"),
            (error: unknown) => error instanceof ConfigurationError && error.setting === "start/end" && /expected YYYY-MM-DDTHH:00:00Z.*round the window to whole hours/.test(error.message),
        );
    });

    it("a generator setting out of range is a ConfigurationError naming it", () => {
        assert.throws(() => createOrderGenerator({ seed: 1, badRatio: 2 }), (error: unknown) => error instanceof ConfigurationError && error.setting === "badRatio" && /between 0 and 1, such as 0\.05; found 2/.test(error.message));
    });
});
