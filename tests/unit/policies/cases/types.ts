import { Policy } from "@pulumi/policy";
import { EngineResource } from "../../../../policies/runner/engine";

/** One case of a policy: a resource (resource policies) or resources (stack policies) and the expected outcome. */
export interface PolicyCase {
    readonly policy: Policy;
    readonly name: string;
    readonly expect: "pass" | "fail" | "notApplicable";
    /** For `fail`: every reported violation is listed, and one must match. */
    readonly match?: RegExp;
    readonly resource?: EngineResource;
    readonly resources?: readonly EngineResource[];
    readonly config?: Record<string, unknown>;
}

type Subject = EngineResource | readonly EngineResource[];

function subject(s: Subject): Pick<PolicyCase, "resource" | "resources"> {
    return Array.isArray(s) ? { resources: s as readonly EngineResource[] } : { resource: s as EngineResource };
}

export function passes(policy: Policy, name: string, s: Subject, config?: Record<string, unknown>): PolicyCase {
    return { policy, name, expect: "pass", ...subject(s), config };
}

export function fails(policy: Policy, name: string, s: Subject, match: RegExp, config?: Record<string, unknown>): PolicyCase {
    return { policy, name, expect: "fail", match, ...subject(s), config };
}

export function notApplicable(policy: Policy, name: string, s: Subject, config?: Record<string, unknown>): PolicyCase {
    return { policy, name, expect: "notApplicable", ...subject(s), config };
}
