import { actionInfo, expandActions, serviceArnFormats } from "./iam-reference";
import { isOnlyWildcards, wildcardMatches } from "./wildcards";

/**
 * Stands for a name the pattern must not fix: only a wildcard in the pattern matches it. Two
 * control characters, so that neither a literal nor a single `?` can.
 */
const anyName = "\u0000\u0001";

/**
 * The broadest ARN of a resource type the pattern could mean: the reference's ARN format with
 * the partition, region and account the pattern names (when it names them literally) and every
 * other variable (the resource's own name) left open.
 */
function broadestArn(format: string, fields: readonly string[]): string {
    const literal = (value: string | undefined) => (value !== undefined && !/[*?]/.test(value) ? value : anyName);
    return format
        .replace(/\$\{Partition\}/g, literal(fields[1]) === anyName ? "aws" : (fields[1] as string))
        .replace(/\$\{Region\}/g, literal(fields[3]))
        .replace(/\$\{Account\}/g, literal(fields[4]))
        .replace(/\$\{[^}]+\}/g, anyName);
}

/** Does a Resource pattern cover every resource of the ARN format, across an account or everywhere? */
function coversFormat(pattern: string, format: string): boolean {
    if (isOnlyWildcards(pattern)) {
        return true;
    }
    const fields = pattern.split(":");
    if (fields[0].toLowerCase() !== "arn") {
        return false;
    }
    if (fields.length < 6) {
        // A wildcard before the resource part spans the rest: "arn:aws:iam::*" covers the service.
        return fields[fields.length - 1].includes("*");
    }
    return wildcardMatches(pattern, broadestArn(format, fields));
}

/**
 * Do the Resource patterns cover every resource the action can act on, across an account or
 * everywhere? `*`, `arn:aws:s3:::*`, `arn:aws:iam::123456789012:*` and `...:role/*` do;
 * `arn:aws:s3:::raw/*` or `...:role/etl-*` do not. When the action must name resources of several
 * types (CreateNetworkInterface: a subnet and the new interface), pinning one of them scopes the
 * call. Without an action (or for an undocumented one) any pattern covering every resource of its
 * own service counts.
 */
export function resourcesCoverAll(patterns: readonly string[], action?: string): boolean {
    if (patterns.some(isOnlyWildcards)) {
        return true;
    }
    const info = action !== undefined ? actionInfo(action) : undefined;
    const types = info ? info.resourceTypes : action !== undefined ? [...new Map((expandActions(action) ?? []).flatMap((a) => a.resourceTypes).map((t) => [t.arn, { arn: t.arn, required: false }])).values()] : [];
    if (types.length === 0) {
        return patterns.some((pattern) => serviceWide(pattern));
    }
    const required = types.filter((t) => t.required);
    const covered = (format: string) => patterns.some((pattern) => coversFormat(pattern, format));
    return required.length > 0 ? required.every((t) => covered(t.arn)) : types.some((t) => covered(t.arn));
}

/** Does one pattern cover every resource of its own service (by the service's documented ARN formats)? */
function serviceWide(pattern: string): boolean {
    const fields = pattern.split(":");
    if (isOnlyWildcards(pattern) || (fields[0].toLowerCase() === "arn" && (fields.length < 6 || isOnlyWildcards(fields[2])) && pattern.includes("*"))) {
        return true;
    }
    if (fields[0].toLowerCase() !== "arn" || fields.length < 6) {
        return false;
    }
    const formats = serviceArnFormats(fields[2]);
    return formats.length === 0 ? isOnlyWildcards(fields.slice(5).join(":")) : formats.some((format) => coversFormat(pattern, format));
}
