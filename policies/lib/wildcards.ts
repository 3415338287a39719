/** Case-insensitive IAM wildcard match (`*` any run, `?` one character) of a pattern against a concrete value. */
export function wildcardMatches(pattern: string, value: string): boolean {
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "is");
    return regex.test(value);
}

/** Is the value nothing but wildcards (or empty), so that it matches anything? */
export function isOnlyWildcards(value: string): boolean {
    return /^[*?]*$/.test(value);
}
