import { PolicyProviderResource } from "@pulumi/policy";
import { isKnown, isObject, parseJsonInput, probe, Unknown, unknown } from "./values";

/** Tag key that names the environment (dev, prod) on every resource, usually via provider default tags. */
export const environmentTagKey = "environment";

/**
 * The AWS provider's `defaultTags.tags`. The AWS SDK sends `defaultTags` to the engine as a JSON
 * string (`pulumi.output(args.defaultTags).apply(JSON.stringify)`), stack config may give it as
 * an object; both are accepted. `unknown` when the value is computed during preview.
 */
export function providerDefaultTags(provider: PolicyProviderResource | undefined): Record<string, string> | Unknown {
    if (!provider || !provider.type.startsWith("pulumi:providers:aws")) {
        return {};
    }
    return probe(() => {
        const parsed = parseJsonInput(provider.props.defaultTags);
        if (!parsed || "invalid" in parsed || !isObject(parsed.value)) {
            return {};
        }
        const tags = parsed.value.tags;
        return isObject(tags) ? stringRecord(tags) : {};
    });
}

/** The resource's own `tags` input. */
export function resourceTags(props: Record<string, unknown>): Record<string, string> | Unknown {
    return probe(() => (isObject(props.tags) ? stringRecord(props.tags) : {}));
}

/**
 * The tags AWS will apply: the provider's default tags overlaid with the resource's own (the
 * provider merges them the same way into `tagsAll`).
 */
export function effectiveTags(props: Record<string, unknown>, provider: PolicyProviderResource | undefined): Record<string, string> | Unknown {
    const defaults = providerDefaultTags(provider);
    const own = resourceTags(props);
    if (!isKnown(defaults) || !isKnown(own)) {
        return unknown;
    }
    return { ...defaults, ...own };
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value)) {
        if (typeof v === "string") {
            out[key] = v;
        }
    }
    return out;
}
