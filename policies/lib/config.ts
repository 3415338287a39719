import { PolicyConfigSchema } from "@pulumi/policy";

/**
 * A policy's configuration: the defaults declared in its schema, overlaid with what the engine
 * passes (`args.getConfig()`). The Pulumi CLI already fills schema defaults in before it calls the
 * pack; applying them here as well keeps the policy correct when it is run by other hosts (the
 * offline runner, tests, `pulumi policy analyze` against older CLIs).
 */
export function policyConfig<T extends object>(args: { getConfig<U extends object>(): U }, schema: PolicyConfigSchema): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (typeof property === "object" && property !== null && "default" in property) {
            defaults[key] = structuredClone(property.default);
        }
    }
    return { ...defaults, ...args.getConfig<Record<string, unknown>>() } as T;
}

/** Schema property: the environments in which an environment-scoped policy applies. */
export function environmentsProperty(defaults: readonly string[], what: string) {
    return {
        type: "array" as const,
        items: { type: "string" as const, minLength: 1 },
        default: [...defaults],
        description: `Environments (the resource's or its provider's \`environment\` tag) in which ${what}. Defaults to ${JSON.stringify(defaults)}.`,
    };
}

/** Schema property: overrides the environment read from tags (for stacks that do not tag it). */
export const environmentOverrideProperty = {
    type: "string" as const,
    minLength: 1,
    description: "The stack's environment when it is not tagged (`environment` tag on the resource or in the AWS provider's defaultTags). Optional.",
};

/** Schema property: exceptions to an IAM rule, each with the reason it is acceptable. */
export function documentedActionsProperty(defaults: readonly { action: string; reason: string }[], what: string) {
    return {
        type: "array" as const,
        items: {
            type: "object" as const,
            properties: {
                action: { type: "string" as const, minLength: 3, description: "An IAM action, e.g. `lakeformation:GetDataAccess`." },
                reason: { type: "string" as const, minLength: 20, description: "Why the exception is acceptable (it is shown in reviews)." },
            },
            required: ["action", "reason"],
            additionalProperties: false,
        },
        default: defaults.map((d) => ({ ...d })),
        description: `${what} Each entry needs an action and the reason it is acceptable.`,
    };
}
