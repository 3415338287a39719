import { computeRules } from "./compute";
import { databaseRules } from "./databases";
import { freeReason, freeTypes } from "./free";
import { integrationRules } from "./integration";
import { networkRules } from "./network";
import { observabilityRules } from "./observability";
import { orchestrationRules } from "./orchestration";
import { queryRules } from "./query";
import { AnyRule } from "./rule";
import { securityRules } from "./security";
import { storageRules } from "./storage";
import { streamingRules } from "./streaming";
import { warehouseRules } from "./warehouse";

export * from "./rule";
export { freeReason, freeTypes } from "./free";
export { invocationsPerMonth } from "./integration";

/** Every cost rule, by the Pulumi type token it prices. */
export const costRules: ReadonlyMap<string, AnyRule> = (() => {
    const all = [...networkRules, ...streamingRules, ...warehouseRules, ...computeRules, ...storageRules, ...securityRules, ...observabilityRules, ...integrationRules, ...queryRules, ...databaseRules, ...orchestrationRules];
    const map = new Map<string, AnyRule>();
    for (const rule of all) {
        if (map.has(rule.type) || freeTypes[rule.type] !== undefined) {
            throw new Error(`internal: ${rule.type} has two cost rules (or a rule and a free entry)`);
        }
        map.set(rule.type, rule);
    }
    return map;
})();

export type Coverage = { readonly kind: "rule"; readonly rule: AnyRule } | { readonly kind: "free"; readonly reason: string } | { readonly kind: "none" };

/** How the model covers a type: a rule, free with a reason, or nothing (then it is "not priced"). */
export function coverage(type: string): Coverage {
    const rule = costRules.get(type);
    if (rule) return { kind: "rule", rule };
    const reason = freeReason(type);
    return reason !== undefined ? { kind: "free", reason } : { kind: "none" };
}
