import { configKeys } from "../infra/config/keys";

/**
 * Prints the README's config reference table from the key table, so the documentation is
 * regenerated rather than retyped: `npx ts-node --transpile-only tools/config-reference.ts`.
 */
const rows = configKeys.map((key) => {
    const value = key.default === undefined ? "required" : `\`${JSON.stringify(key.default)}\``;
    return `| \`${key.name}\` | ${key.type}${key.secret ? " (secret)" : ""} | ${value} | ${key.description.replace(/\|/g, "\\|")} |`;
});
process.stdout.write(["| Key (`platform:`) | Type | Default | Description |", "|---|---|---|---|", ...rows].join("\n") + "\n");
