import { coversPublic, parseCidr } from "./cidr";
import { actionInfo, conditionKeyMatches, conditionKeyType, expandActions, globalKeyCategory } from "./iam-reference";
import { isOnlyWildcards } from "./wildcards";

/**
 * IAM condition semantics for guardrails: does a statement's Condition block really narrow who may
 * call, or which requests an action applies to? A block is a conjunction, so it narrows when any
 * one of its (operator, key, values) entries narrows; an entry narrows only when, by IAM's rules,
 * some request the statement would otherwise allow fails it:
 * - `ForAllValues:` is true for a request without the key, `...IfExists` too (unless the key is in
 *   every request), so neither narrows; `ForAnyValue:` on a present key acts like its operator.
 * - `Null`, `Bool` and the negated operators (`StringNotEquals`, `NotIpAddress`, ...) exclude a
 *   few requests at most, never pin the caller to a named one.
 * - One value that matches everything makes the whole entry match everything (values are ORed):
 *   `*`, `?*`, an ARN wildcarded in its service or account, address ranges covering every public
 *   address. A literal `"*"` under StringEquals matches only the text `*`, which no caller has;
 *   it is always a mistake, so it does not count as narrowing either.
 */

export type ConditionBlock = Record<string, Record<string, unknown>>;

export interface ConditionEntry {
    /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
    readonly operator: string;
    /** Without qualifier and IfExists, e.g. `StringLike`. */
    readonly base: string;
    readonly qualifier?: "ForAnyValue" | "ForAllValues";
    readonly ifExists: boolean;
    readonly key: string;
    readonly values: string[];
}

/** Every (operator, key, values) entry of a Condition block. */
export function conditionEntries(condition: ConditionBlock | undefined): ConditionEntry[] {
    const entries: ConditionEntry[] = [];
    for (const [operator, keys] of Object.entries(condition ?? {})) {
        if (keys === null || typeof keys !== "object") {
            continue;
        }
        const qualifierMatch = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(operator);
        const unqualified = qualifierMatch ? qualifierMatch[2] : operator;
        const ifExists = /IfExists$/i.test(unqualified);
        const base = ifExists ? unqualified.slice(0, -"IfExists".length) : unqualified;
        const qualifier = qualifierMatch ? (qualifierMatch[1].toLowerCase() === "foranyvalue" ? "ForAnyValue" : "ForAllValues") : undefined;
        for (const [key, raw] of Object.entries(keys)) {
            const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
            entries.push({ operator, base, qualifier, ifExists, key, values });
        }
    }
    return entries;
}

/** Global keys present in every authenticated request, so that `...IfExists` on them still narrows. */
const alwaysPresentKeys = ["aws:principalarn", "aws:principalaccount", "aws:userid", "aws:principaltype", "kms:calleraccount"];

/**
 * Keys that say who calls or from where: the caller's identity, account and organization, the
 * resource a service acts for (confused-deputy keys) and the network path. `kms:ViaService` and
 * `aws:CalledVia` are not here: they say which service forwarded the call, not whose call it is.
 */
const callerKeys = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "kms:calleraccount",
];

/** Global keys (by AWS's category) that narrow who may call: the caller keys above and the network ones. */
function isCallerKey(key: string): boolean {
    return callerKeys.includes(key.toLowerCase()) || globalKeyCategory(key) === "network";
}

const negatedOperators = /^(StringNotEquals|StringNotEqualsIgnoreCase|StringNotLike|ArnNotEquals|ArnNotLike|NotIpAddress|NumericNotEquals|DateNotEquals)$/i;

/**
 * Does an ARN value match every resource of a service, or of every account? `arn:aws:iam::*`,
 * `arn:aws:sqs:*:*:queue` and `arn:aws:s3:::*` do; `arn:aws:sns:us-east-1:123456789012:*` pins
 * an account and `arn:aws:s3:::raw-*` a bucket-name prefix.
 */
export function arnValueIsWildcard(value: string): boolean {
    if (isOnlyWildcards(value)) {
        return true;
    }
    const fields = value.split(":");
    if (fields[0].toLowerCase() !== "arn") {
        // Not an ARN: only a value that starts with a wildcard leaves the caller open.
        return /^[*?]/.test(value);
    }
    if (fields.length < 6) {
        return /[*?]/.test(value);
    }
    const [, partition, service, , account] = fields;
    if (/[*?]/.test(partition) || /[*?]/.test(service) || /[*?]/.test(account)) {
        return true;
    }
    // An account-less ARN (S3) is pinned only by a literal start of its resource part.
    return account === "" && /^[*?]/.test(fields.slice(5).join(":"));
}

/** Does one value of the entry match everything the key can hold? */
function valueIsWildcard(entry: ConditionEntry, value: string, keyType: string | undefined): boolean {
    if (/^Arn/i.test(entry.base) || keyType === "ARN" || keyType === "ArrayOfARN") {
        return arnValueIsWildcard(value);
    }
    return isOnlyWildcards(value);
}

/** Does the entry, by IAM's rules, exclude some requests it is asked about? */
function entryNarrows(entry: ConditionEntry): boolean {
    if (entry.qualifier === "ForAllValues") {
        return false;
    }
    if (entry.ifExists && !alwaysPresentKeys.includes(entry.key.toLowerCase())) {
        return false;
    }
    if (/^(Null|Bool)$/i.test(entry.base) || negatedOperators.test(entry.base) || entry.values.length === 0) {
        return false;
    }
    if (/^IpAddress$/i.test(entry.base)) {
        const ranges = entry.values.map(parseCidr);
        // An unreadable range narrows nothing we can prove; every public address of a family open means no network pin.
        if (ranges.some((r) => r === undefined)) {
            return false;
        }
        const parsed = ranges.filter((r) => r !== undefined);
        return !coversPublic(parsed, "ipv4") && !coversPublic(parsed, "ipv6");
    }
    const keyType = conditionKeyType(entry.key);
    return !entry.values.some((value) => valueIsWildcard(entry, value, keyType));
}

/** Does the condition pin the caller to named principals, accounts, organizations, sources or networks? */
export function narrowsCaller(condition: ConditionBlock | undefined): boolean {
    return conditionEntries(condition).some((entry) => isCallerKey(entry.key) && entryNarrows(entry));
}

/** Does the condition pin the caller through one of `keys` (e.g. the principals of an account-root trust)? */
export function narrowsThrough(condition: ConditionBlock | undefined, keys: readonly string[]): boolean {
    return conditionEntries(condition).some((entry) => keys.some((k) => k.toLowerCase() === entry.key.toLowerCase()) && entryNarrows(entry));
}

/** Request-context keys that say what the request sets, not what it acts on; they do not scope an action. */
const requestOnlyKeys = ["aws:requesttag/*", "aws:tagkeys"];

/**
 * Does the condition narrow what `action` applies to? Only through a key that the action reads
 * (from the Service Authorization Reference: `iam:PassedToService` for PassRole, `s3:prefix` for
 * ListBucket, `cloudwatch:namespace` for PutMetricData, ...) or a global key about the resource
 * (`aws:ResourceTag/...`, `aws:ResourceAccount`, ...). `aws:SecureTransport`, the time or the
 * region say nothing about which resources or which service the grant reaches.
 */
export function narrowsAction(condition: ConditionBlock | undefined, action: string): boolean {
    const entries = conditionEntries(condition);
    if (entries.length === 0) {
        return false;
    }
    const infos = actionInfo(action) ? [actionInfo(action)!] : (expandActions(action) ?? []);
    const actionKeys = infos.flatMap((i) => i.conditionKeys);
    return entries.some((entry) => {
        if (requestOnlyKeys.some((k) => conditionKeyMatches(k, entry.key))) {
            return false;
        }
        const relevant = globalKeyCategory(entry.key) === "resource" || actionKeys.some((k) => conditionKeyMatches(k, entry.key));
        return relevant && entryNarrows(entry);
    });
}
