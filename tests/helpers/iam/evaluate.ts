import * as ipaddr from "ipaddr.js";
import { conditionEntries, ConditionEntry } from "../../../policies/lib/conditions";

/**
 * An IAM policy evaluator for one same-account request by a role session, after AWS's
 * documented evaluation logic: an explicit Deny in any policy wins; otherwise an Allow is needed
 * from the identity policy or from a resource policy that names the caller; a KMS key policy must
 * allow the caller itself, or delegate to the account (root principal), in which case the
 * identity policy must allow too. Condition operators: every String, Numeric, Date, Bool, Binary,
 * IpAddress, Arn and Null operator, `...IfExists`, `ForAnyValue:` and `ForAllValues:`; policy
 * variables (`${aws:userid}`, `${*}`); wildcards in actions and resources; NotAction,
 * NotResource, NotPrincipal. Operator parsing is the pack's (policies/lib/conditions.ts).
 */

export interface Statement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | readonly string[];
    readonly NotAction?: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly NotResource?: string | readonly string[];
    readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
    readonly NotPrincipal?: Readonly<Record<string, string | readonly string[]>>;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface Document {
    readonly Statement: readonly Statement[] | Statement;
}

/** A policy with the name a report shows (e.g. `dev role policy ingest-orders-role`). */
export interface NamedPolicy {
    readonly name: string;
    readonly document: Document;
}

/** The caller: a role session, as a Lambda function, a Batch job or an EMR job runs. */
export interface Caller {
    /** The role ARN (`arn:aws:iam::<account>:role/<name>`). */
    readonly roleArn: string;
    readonly account: string;
    /** `aws:userid` of the session: `<role id>:<session name>`. */
    readonly userId: string;
}

/** Request-context values by key (case-insensitive); arrays are multivalued keys. */
export type Context = Readonly<Record<string, string | readonly string[]>>;

export interface AuthzRequest {
    readonly action: string;
    readonly resource: string;
    readonly context: Context;
}

export interface Decision {
    readonly decision: "allowed" | "explicitDeny" | "implicitDeny";
    /** Names of the statements that decided it (`<policy> statement <Sid or index>`). */
    readonly by: readonly string[];
    /** Why, in words a reader can act on. */
    readonly reason: string;
}

const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === "string" ? [v] : v);
const statementsOf = (document: Document): readonly Statement[] => (Array.isArray(document.Statement) ? document.Statement : [document.Statement as Statement]);

function globToRegExp(pattern: string, flags: string): RegExp {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${body}$`, flags);
}

/** `*` and `?` globbing, as IAM matches actions (case-insensitive) and resources and StringLike values (case-sensitive). */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
    return globToRegExp(pattern, ignoreCase ? "is" : "s").test(value);
}

/** Replaces `${key}` policy variables from the context; `${*}`, `${?}`, `${$}` are the literal characters. */
function substitute(text: string, context: Context, caller: Caller): string | undefined {
    let missing = false;
    const out = text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
        if (name === "*" || name === "?" || name === "$") return name;
        const value = lookup(context, caller, name);
        if (value === undefined || Array.isArray(value)) {
            missing = true;
            return "";
        }
        return value as string;
    });
    // A variable the request does not carry makes the element match nothing.
    return missing ? undefined : out;
}

/** A context key's value, with the keys every role-session request carries. */
function lookup(context: Context, caller: Caller, key: string): string | readonly string[] | undefined {
    const lower = key.toLowerCase();
    for (const [k, v] of Object.entries(context)) {
        if (k.toLowerCase() === lower) return v;
    }
    switch (lower) {
        case "aws:userid":
            return caller.userId;
        case "aws:principalarn":
            return caller.roleArn;
        case "aws:principalaccount":
            return caller.account;
        case "aws:principaltype":
            return "AssumedRole";
        case "aws:securetransport":
            // The AWS SDK talks HTTPS to AWS endpoints; the local stand-ins' plain HTTP is not what AWS sees.
            return "true";
        default:
            return undefined;
    }
}

function matchesAny(patterns: readonly string[], value: string, context: Context, caller: Caller, ignoreCase: boolean): boolean {
    return patterns.some((p) => {
        const pattern = substitute(p, context, caller);
        return pattern !== undefined && globMatches(pattern, value, ignoreCase);
    });
}

function actionMatches(statement: Statement, action: string): boolean {
    if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => globMatches(p, action, true));
    return list(statement.Action).some((p) => globMatches(p, action, true));
}

function resourceMatches(statement: Statement, resource: string, context: Context, caller: Caller): boolean {
    if (statement.NotResource !== undefined) return !matchesAny(list(statement.NotResource), resource, context, caller, false);
    return matchesAny(list(statement.Resource), resource, context, caller, false);
}

type PrincipalMatch = "caller" | "account" | "none";

/** Does a resource-policy principal name the caller (role or session), its account (delegation to IAM), or neither? */
function principalMatch(principal: Statement["Principal"], caller: Caller): PrincipalMatch {
    if (principal === "*") return "caller";
    const aws = list((principal ?? {})["AWS"] as string | readonly string[] | undefined);
    if (aws.includes("*")) return "caller";
    const roleName = caller.roleArn.split(":role/")[1] ?? "";
    const sessionArn = `arn:aws:sts::${caller.account}:assumed-role/${roleName.split("/").pop()}/`;
    if (aws.some((p) => p === caller.roleArn || p.startsWith(sessionArn))) return "caller";
    if (aws.some((p) => p === caller.account || p === `arn:aws:iam::${caller.account}:root`)) return "account";
    return "none";
}

function statementPrincipal(statement: Statement, caller: Caller): PrincipalMatch {
    if (statement.NotPrincipal !== undefined) {
        return principalMatch(statement.NotPrincipal, caller) === "none" ? "caller" : "none";
    }
    return principalMatch(statement.Principal, caller);
}

function compare(base: string, policyValue: string, requestValue: string): boolean {
    switch (base.toLowerCase()) {
        case "stringequals":
        case "stringnotequals":
            return policyValue === requestValue;
        case "stringequalsignorecase":
        case "stringnotequalsignorecase":
            return policyValue.toLowerCase() === requestValue.toLowerCase();
        case "stringlike":
        case "stringnotlike":
            return globMatches(policyValue, requestValue);
        case "arnequals":
        case "arnnotequals":
        case "arnlike":
        case "arnnotlike": {
            // ARNs compare field by field; a wildcard never spans the six colon-separated fields.
            const p = policyValue.split(":");
            const r = requestValue.split(":");
            if (p.length < 6 || r.length < 6) return false;
            const fields = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(":")];
            return fields(p).every((field, i) => globMatches(field, fields(r)[i]!));
        }
        case "numericequals":
        case "numericnotequals":
            return Number(requestValue) === Number(policyValue);
        case "numericlessthan":
            return Number(requestValue) < Number(policyValue);
        case "numericlessthanequals":
            return Number(requestValue) <= Number(policyValue);
        case "numericgreaterthan":
            return Number(requestValue) > Number(policyValue);
        case "numericgreaterthanequals":
            return Number(requestValue) >= Number(policyValue);
        case "dateequals":
        case "datenotequals":
            return toTime(requestValue) === toTime(policyValue);
        case "datelessthan":
            return toTime(requestValue) < toTime(policyValue);
        case "datelessthanequals":
            return toTime(requestValue) <= toTime(policyValue);
        case "dategreaterthan":
            return toTime(requestValue) > toTime(policyValue);
        case "dategreaterthanequals":
            return toTime(requestValue) >= toTime(policyValue);
        case "bool":
            return policyValue.toLowerCase() === requestValue.toLowerCase();
        case "binaryequals":
            return policyValue === requestValue;
        case "ipaddress":
        case "notipaddress": {
            try {
                const address = ipaddr.parse(requestValue);
                const range = policyValue.includes("/") ? ipaddr.parseCIDR(policyValue) : ([ipaddr.parse(policyValue), address.kind() === "ipv4" ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number]);
                return address.kind() === range[0].kind() && address.match(range);
            } catch {
                return false;
            }
        }
        default:
            throw new Error(`condition operator "${base}" is not an IAM operator; expected String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, NotIpAddress, Arn* or Null`);
    }
}

function toTime(value: string): number {
    return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

const negated = (base: string) => /^(StringNot|NumericNotEquals|DateNotEquals|NotIpAddress|ArnNot)/i.test(base);

/** One (operator, key, values) entry against the request, by IAM's rules for absent and multivalued keys. */
export function entryHolds(entry: ConditionEntry, context: Context, caller: Caller): boolean {
    const raw = lookup(context, caller, entry.key);
    if (/^Null$/i.test(entry.base)) {
        const absent = raw === undefined || (Array.isArray(raw) && raw.length === 0);
        return entry.values.some((v) => (v.toLowerCase() === "true") === absent);
    }
    const values = raw === undefined ? [] : typeof raw === "string" ? [raw] : [...raw];
    if (values.length === 0) {
        // Absent key: IfExists and ForAllValues hold, negated operators hold, anything else fails.
        if (entry.ifExists || entry.qualifier === "ForAllValues") return true;
        if (entry.qualifier === "ForAnyValue") return false;
        return negated(entry.base);
    }
    const policyValues = entry.values.map((v) => (/^String|^Arn/i.test(entry.base) ? substitute(v, context, caller) : v)).filter((v): v is string => v !== undefined);
    const isNegated = negated(entry.base);
    // For a negated operator a value "holds" when it matches none of the policy values.
    const holds = (value: string) => {
        const any = policyValues.some((p) => compare(entry.base, p, value));
        return isNegated ? !any : any;
    };
    if (entry.qualifier === "ForAllValues") return values.every(holds);
    // Single-valued keys and ForAnyValue: one request value that holds is enough.
    return values.some(holds);
}

function conditionHolds(statement: Statement, context: Context, caller: Caller): boolean {
    return conditionEntries(statement.Condition).every((entry) => entryHolds(entry, context, caller));
}

interface Match {
    readonly where: string;
    readonly effect: "Allow" | "Deny";
    readonly principal: PrincipalMatch;
}

function matches(policy: NamedPolicy, request: AuthzRequest, caller: Caller, isResourcePolicy: boolean): Match[] {
    const out: Match[] = [];
    statementsOf(policy.document).forEach((statement, i) => {
        const principal = isResourcePolicy ? statementPrincipal(statement, caller) : "caller";
        if (principal === "none") return;
        if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource, request.context, caller)) return;
        if (!conditionHolds(statement, request.context, caller)) return;
        out.push({ where: `${policy.name} statement ${statement.Sid ?? i}`, effect: statement.Effect, principal });
    });
    return out;
}

export interface PolicySet {
    readonly identity: readonly NamedPolicy[];
    /** The resource's own policy: bucket, queue or topic policy. */
    readonly resource?: NamedPolicy;
    /** A KMS key policy: it must allow, on its own or by delegating to the account. */
    readonly keyPolicy?: NamedPolicy;
}

export function evaluate(request: AuthzRequest, caller: Caller, policies: PolicySet): Decision {
    const identity = policies.identity.flatMap((p) => matches(p, request, caller, false));
    const resource = policies.resource ? matches(policies.resource, request, caller, true) : [];
    const key = policies.keyPolicy ? matches(policies.keyPolicy, request, caller, true) : [];
    const denies = [...identity, ...resource, ...key].filter((m) => m.effect === "Deny");
    if (denies.length > 0) {
        return { decision: "explicitDeny", by: denies.map((d) => d.where), reason: `explicitly denied by ${denies.map((d) => d.where).join(", ")}` };
    }
    const identityAllows = identity.filter((m) => m.effect === "Allow");
    if (policies.keyPolicy) {
        const direct = key.filter((m) => m.effect === "Allow" && m.principal === "caller");
        if (direct.length > 0) return { decision: "allowed", by: direct.map((m) => m.where), reason: "the key policy allows the role" };
        const delegating = key.filter((m) => m.effect === "Allow" && m.principal === "account");
        if (delegating.length === 0) {
            return { decision: "implicitDeny", by: [], reason: `the key policy ${policies.keyPolicy.name} neither allows the role nor delegates ${request.action} to IAM in the account` };
        }
        if (identityAllows.length === 0) {
            return { decision: "implicitDeny", by: [], reason: `the key policy delegates to IAM (${delegating[0]!.where}) but no statement of ${policies.identity.map((p) => p.name).join(", ")} allows it` };
        }
        return { decision: "allowed", by: [...delegating, ...identityAllows].map((m) => m.where), reason: "the key policy delegates to IAM and the identity policy allows" };
    }
    const resourceAllows = resource.filter((m) => m.effect === "Allow" && m.principal === "caller");
    if (identityAllows.length > 0 || resourceAllows.length > 0) {
        return { decision: "allowed", by: [...identityAllows, ...resourceAllows].map((m) => m.where), reason: identityAllows.length > 0 ? "the identity policy allows" : "the resource policy allows the role" };
    }
    const names = [...policies.identity.map((p) => p.name), ...(policies.resource ? [policies.resource.name] : [])];
    return { decision: "implicitDeny", by: [], reason: `no statement of ${names.join(", ")} allows it` };
}

/** Identity-policy statements (by `<policy> statement <Sid or index>`) that allow `action` on some resource: for reports. */
export function statementsGranting(policy: NamedPolicy, action: string): string[] {
    return statementsOf(policy.document)
        .map((s, i) => ({ s, where: `${policy.name} statement ${s.Sid ?? i}` }))
        .filter(({ s }) => s.Effect === "Allow" && actionMatches(s, action))
        .map(({ where }) => where);
}

/** The actions an identity policy's Allow statements name (wildcards as written). */
export function grantedActions(policy: NamedPolicy): { action: string; where: string }[] {
    return statementsOf(policy.document).flatMap((s, i) => (s.Effect === "Allow" ? list(s.Action).map((action) => ({ action, where: `${policy.name} statement ${s.Sid ?? i}` })) : []));
}

