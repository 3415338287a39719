import { narrowsCaller } from "./conditions";
import { resourcesCoverAll } from "./resources";
import { asList, isObject, Json, parseJsonInput } from "./values";
import { wildcardMatches } from "./wildcards";

/**
 * IAM-style policy documents (identity policies, trust policies, key policies, bucket, queue and
 * topic policies) normalized for checks: every list-or-string element becomes a list.
 */
export interface Statement {
    readonly index: number;
    readonly sid?: string;
    readonly effect: "Allow" | "Deny";
    readonly actions: string[];
    /** `NotAction` present: the statement covers every action except these. */
    readonly notActions?: string[];
    readonly resources: string[];
    readonly notResources?: string[];
    /** `"*"` for `Principal: "*"`; otherwise principal type (AWS, Service, Federated, CanonicalUser) to values. */
    readonly principal?: "*" | Record<string, string[]>;
    readonly notPrincipal: boolean;
    readonly condition?: Record<string, Record<string, unknown>>;
}

export type ParsedDocument = { readonly statements: Statement[] } | { readonly invalid: string };

/** Parses a policy document given as JSON text or as an object. `undefined` when absent. */
export function parseDocument(value: unknown): ParsedDocument | undefined {
    const parsed = parseJsonInput(value);
    if (!parsed) {
        return undefined;
    }
    if ("invalid" in parsed) {
        return { invalid: `not valid JSON (${parsed.invalid})` };
    }
    if (!isObject(parsed.value)) {
        return { invalid: "not a JSON object" };
    }
    const raw = asList(parsed.value.Statement as Json);
    const statements: Statement[] = [];
    raw.forEach((item, index) => {
        if (!isObject(item)) {
            return;
        }
        const principalRaw = item.Principal ?? item.NotPrincipal;
        let principal: Statement["principal"];
        if (principalRaw === "*") {
            principal = "*";
        } else if (isObject(principalRaw)) {
            principal = {};
            for (const [type, values] of Object.entries(principalRaw)) {
                principal[type] = asList(values as Json).map(String);
            }
        }
        statements.push({
            index,
            sid: typeof item.Sid === "string" ? item.Sid : undefined,
            effect: item.Effect === "Deny" ? "Deny" : "Allow",
            actions: asList(item.Action as Json).map(String),
            notActions: item.NotAction !== undefined ? asList(item.NotAction as Json).map(String) : undefined,
            resources: asList(item.Resource as Json).map(String),
            notResources: item.NotResource !== undefined ? asList(item.NotResource as Json).map(String) : undefined,
            principal,
            notPrincipal: item.NotPrincipal !== undefined,
            condition: isObject(item.Condition) && Object.keys(item.Condition).length > 0 ? (item.Condition as Record<string, Record<string, unknown>>) : undefined,
        });
    });
    return { statements };
}

/** How a statement is named in messages: its Sid, or its position. */
export function statementLabel(statement: Statement): string {
    return statement.sid ? `statement "${statement.sid}"` : `statement ${statement.index + 1}`;
}

export { wildcardMatches };

/** Does the statement's action list (or NotAction) grant `action`? */
export function grantsAction(statement: Statement, action: string): boolean {
    if (statement.notActions) {
        return !statement.notActions.some((pattern) => wildcardMatches(pattern, action));
    }
    return statement.actions.some((pattern) => wildcardMatches(pattern, action));
}

/**
 * Does the statement apply to every resource `action` can act on? True for any `NotResource`, for
 * `"*"`, and for an ARN pattern that covers every resource of the action's types in an account or
 * everywhere (`arn:aws:iam::123456789012:*`, `arn:aws:s3:::*`, `...:role/*`). Without an action,
 * any pattern that covers every resource of its own service counts.
 */
export function coversAllResources(statement: Statement, action?: string): boolean {
    if (statement.notResources !== undefined) {
        return true;
    }
    return resourcesCoverAll(statement.resources, action);
}

/** Is the principal everyone: `"*"`, `{"AWS": "*"}` or any `NotPrincipal`? */
export function isPublicPrincipal(statement: Statement): boolean {
    if (statement.notPrincipal) {
        return true;
    }
    if (statement.principal === "*") {
        return true;
    }
    return statement.principal !== undefined && Object.entries(statement.principal).some(([type, values]) => type !== "Service" && values.includes("*"));
}

/**
 * Does the statement's condition really pin the caller to an account, organization, source or
 * network? Judged by IAM's rules (operator, values, IfExists, set qualifiers), not by which keys
 * it mentions: see `narrowsCaller`.
 */
export function hasRestrictingCondition(statement: Statement): boolean {
    return narrowsCaller(statement.condition);
}

/**
 * Allow statements that open the resource to everyone: a public principal without a condition
 * that really pins it to an account, organization, source or network.
 */
export function publicAllowStatements(statements: readonly Statement[]): Statement[] {
    return statements.filter((s) => s.effect === "Allow" && isPublicPrincipal(s) && !hasRestrictingCondition(s));
}
