import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

/**
 * Usage files: how much a stack uses its usage-priced resources per month (requests, GB, hours),
 * in the spirit of Infracost's `infracost-usage.yml`. Values for a resource type apply to every
 * resource of that type; values for one resource (by logical name or URN) override them.
 *
 * ```yaml
 * version: 1
 * recordsPerSecond: 200            # the workload the figures assume (optional)
 * resourceTypeDefaults:
 *   "aws:lambda/function:Function": { monthlyRequests: 2000000, requestDurationMs: 250 }
 * resources:
 *   streaming-ingest-orders: { monthlyRequests: 5000000 }
 * ```
 */

export type UsageValues = Readonly<Record<string, number>>;

export interface UsageDocument {
    readonly version: 1;
    /** The workload the figures assume, in records a second on average (for break-even traffic). */
    readonly recordsPerSecond?: number;
    readonly resourceTypeDefaults: Readonly<Record<string, UsageValues>>;
    readonly resources: Readonly<Record<string, UsageValues>>;
}

export const emptyUsage: UsageDocument = { version: 1, resourceTypeDefaults: {}, resources: {} };

export const costDirectory = __dirname;

/** The usage file a stack uses by default: `cost/usage.<stack>.yaml`, if it exists. */
export function defaultUsagePath(stack: string): string | undefined {
    const file = path.join(costDirectory, `usage.${stack}.yaml`);
    return /^[A-Za-z0-9_.-]+$/.test(stack) && fs.existsSync(file) ? file : undefined;
}

export class UsageFileError extends Error {
    constructor(source: string, problems: readonly string[]) {
        super(`${source} is not a valid usage file:\n  - ${problems.join("\n  - ")}\nFix: follow the format in cost/README.md (version: 1, resourceTypeDefaults, resources; numbers >= 0).`);
        this.name = "UsageFileError";
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Checks the shape of a usage document (keys per type are checked by the estimator against each rule). */
export function parseUsageDocument(value: unknown, source: string): UsageDocument {
    const problems: string[] = [];
    if (!isRecord(value)) {
        throw new UsageFileError(source, [`expected a mapping at the top level; found ${JSON.stringify(value)}`]);
    }
    for (const key of Object.keys(value)) {
        if (!["version", "description", "recordsPerSecond", "resourceTypeDefaults", "resources"].includes(key)) {
            problems.push(`${key}: expected one of version, description, recordsPerSecond, resourceTypeDefaults, resources; found an unknown key`);
        }
    }
    if (value.version !== 1) {
        problems.push(`version: expected 1; found ${JSON.stringify(value.version)}`);
    }
    const section = (name: "resourceTypeDefaults" | "resources"): Record<string, UsageValues> => {
        const raw = value[name] ?? {};
        if (!isRecord(raw)) {
            problems.push(`${name}: expected a mapping; found ${JSON.stringify(raw)}`);
            return {};
        }
        const out: Record<string, UsageValues> = {};
        for (const [target, values] of Object.entries(raw)) {
            if (!isRecord(values)) {
                problems.push(`${name}.${target}: expected a mapping of usage keys to numbers; found ${JSON.stringify(values)}`);
                continue;
            }
            const entry: Record<string, number> = {};
            for (const [k, v] of Object.entries(values)) {
                if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
                    problems.push(`${name}.${target}.${k}: expected a number >= 0; found ${JSON.stringify(v)}`);
                } else {
                    entry[k] = v;
                }
            }
            out[target] = entry;
        }
        return out;
    };
    const rate = value.recordsPerSecond;
    if (rate !== undefined && (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0)) {
        problems.push(`recordsPerSecond: expected a number > 0 (the average records a second the figures assume); found ${JSON.stringify(rate)}`);
    }
    const doc: UsageDocument = {
        version: 1,
        ...(typeof rate === "number" && rate > 0 ? { recordsPerSecond: rate } : {}),
        resourceTypeDefaults: section("resourceTypeDefaults"),
        resources: section("resources"),
    };
    if (problems.length > 0) {
        throw new UsageFileError(source, problems);
    }
    return doc;
}

export function loadUsageFile(file: string): UsageDocument {
    if (!fs.existsSync(file)) {
        throw new UsageFileError(file, ["the file does not exist"]);
    }
    let parsed: unknown;
    try {
        parsed = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageFileError(file, [`it is not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
    }
    return parseUsageDocument(parsed, file);
}

/** The usage values of one resource: its type's defaults, overridden by its own entry (by URN, then name). */
export function usageFor(doc: UsageDocument, resource: { urn: string; type: string; name: string }): UsageValues {
    return {
        ...(doc.resourceTypeDefaults[resource.type] ?? {}),
        ...(doc.resources[resource.name] ?? {}),
        ...(doc.resources[resource.urn] ?? {}),
    };
}
