#!/usr/bin/env node
/**
 * Copies the packages the batch job loads at run time, with everything they depend on, from an
 * installed node_modules tree into the image, so the image carries a few megabytes of AWS SDK
 * instead of every production dependency of the repository (Pulumi, Kafka, PostgreSQL clients...).
 *
 *   node copy-runtime-modules.js <project dir> <output dir> <package> [<package>...]
 *
 * Dependencies are resolved the way Node resolves them (the package's own node_modules first, then
 * each parent's), and each package keeps its path relative to <project dir>, so nested versions
 * stay nested. `dependencies`, installed `optionalDependencies` and installed `peerDependencies`
 * are followed. Versions are exactly those of the lock file the tree was installed from.
 */
"use strict";
const fs = require("fs");
const path = require("path");

function fail(message) {
    process.stderr.write(`copy-runtime-modules: ${message}\n`);
    process.exit(2);
}

const [projectArg, outputArg, ...roots] = process.argv.slice(2);
if (!projectArg || !outputArg || roots.length === 0) {
    fail("usage: copy-runtime-modules.js <project dir> <output dir> <package> [<package>...]");
}
const project = path.resolve(projectArg);
const output = path.resolve(outputArg);

function readManifest(dir) {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
}

/** The directory of `name` as seen from `fromDir`, or undefined when it is not installed. */
function resolvePackage(name, fromDir) {
    let dir = fromDir;
    for (;;) {
        if (path.basename(dir) !== "node_modules") {
            const candidate = path.join(dir, "node_modules", name);
            if (fs.existsSync(path.join(candidate, "package.json"))) {
                return candidate;
            }
        }
        if (dir === project) {
            return undefined;
        }
        const parent = path.dirname(dir);
        if (parent === dir || !parent.startsWith(project)) {
            return undefined;
        }
        dir = parent;
    }
}

const copied = new Set();
const queue = roots.map((name) => ({ name, from: project, required: true, by: "(command line)" }));
while (queue.length > 0) {
    const { name, from, required, by } = queue.shift();
    const dir = resolvePackage(name, from);
    if (dir === undefined) {
        if (required) {
            fail(`${name} (needed by ${by}) is not installed under ${project}; run npm ci first`);
        }
        continue;
    }
    if (copied.has(dir)) {
        continue;
    }
    copied.add(dir);
    const manifest = readManifest(dir);
    const target = path.join(output, path.relative(project, dir));
    fs.cpSync(dir, target, { recursive: true, filter: (source) => path.relative(dir, source) !== "node_modules" });
    for (const dependency of Object.keys(manifest.dependencies || {})) {
        queue.push({ name: dependency, from: dir, required: true, by: manifest.name });
    }
    for (const dependency of [...Object.keys(manifest.optionalDependencies || {}), ...Object.keys(manifest.peerDependencies || {})]) {
        queue.push({ name: dependency, from: dir, required: false, by: manifest.name });
    }
}
process.stdout.write(`copied ${copied.size} packages into ${path.join(output, "node_modules")}\n`);
