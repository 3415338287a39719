import { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { effectiveTags, environmentTagKey } from "./tags";
import { isKnown } from "./values";

/**
 * The environment a resource belongs to: the configured override, else its `environment` tag
 * (own tags, then the provider's default tags). `undefined` when nothing says.
 */
export function resourceEnvironment(args: ResourceValidationArgs, override?: string): string | undefined {
    if (override) {
        return override;
    }
    const tags = effectiveTags(args.props, args.provider);
    return isKnown(tags) ? tags[environmentTagKey] : undefined;
}

/**
 * The stack's environment: the configured override, else the `environment` tag most of its
 * resources carry (own tags or their provider's default tags). Providers no resource uses do not
 * count. `undefined` when nothing says.
 */
export function stackEnvironment(args: StackValidationArgs, override?: string): string | undefined {
    if (override) {
        return override;
    }
    const counts = new Map<string, number>();
    for (const resource of args.resources) {
        if (resource.type.startsWith("pulumi:providers:")) {
            continue;
        }
        const value = stackResourceEnvironment(resource);
        if (value) {
            counts.set(value, (counts.get(value) ?? 0) + 1);
        }
    }
    let best: string | undefined;
    for (const [value, n] of counts) {
        if (best === undefined || n > (counts.get(best) ?? 0)) {
            best = value;
        }
    }
    return best;
}

/** The environment of one resource of a stack (its own tags, then its provider's). */
export function stackResourceEnvironment(resource: PolicyResource): string | undefined {
    const tags = effectiveTags(resource.props, resource.provider);
    return isKnown(tags) ? tags[environmentTagKey] : undefined;
}

/**
 * For an environment-scoped policy: the environment when the policy applies, otherwise it calls
 * `notApplicable` (which throws) with the reason.
 */
export function requireEnvironmentIn(
    args: { notApplicable(reason?: string): never },
    environment: string | undefined,
    environments: readonly string[],
): string {
    if (environment === undefined) {
        args.notApplicable(
            `the environment is unknown: tag resources with "${environmentTagKey}" (the platform sets it in the AWS provider's defaultTags) or set the policy's "environment" config`,
        );
    }
    if (!environments.includes(environment)) {
        args.notApplicable(`applies in ${environments.join(", ")}; this is ${environment}`);
    }
    return environment;
}
