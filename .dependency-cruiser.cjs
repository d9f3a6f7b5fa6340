/**
 * Dependency rules for wharf, checked by `npm test` (npm run lint:deps) before the tests run,
 * so an arrow that points the wrong way fails CI. See docs/DESIGN.md and issue #15.
 *
 * Layers, top to bottom; a file may import its own layer or any lower one, never a higher one:
 *
 *   6  bin                   (rule names call the layers bin, roles, wire, domain, store, parts, base)
 *   5  cli | daemon          (siblings: the CLI never imports the daemon; the daemon never the CLI)
 *   4  api, client           (client: the CLI's HTTP side of the same wire; only cli imports it)
 *   3  image, container, volume, network, distribution, builder   (the domain)
 *   2  storage, runtime, init
 *   1  names, logs, archive, streams
 *   0  sys, errors, plus the leaf helpers that import nothing of wharf (or only layer 0):
 *        engine/        the job table and event bus the domain registers verbs on and publishes
 *                       to; it imports nothing, so every layer above may use it
 *        log.ts         the daemon's logger (consola), used from storage up
 *        time.ts        the one clock and duration module: RFC 3339 "now" with nanoseconds, Go's
 *                       durations, Docker's timestamp parameters and human durations
 *        reexec.ts      re-exec roles by argv0 (bin registers, the daemon re-execs)
 *        version.ts     wharf's own version, the API versions served and their comparison
 *        filters.ts     Docker's `filters` parameter and label matching (list and prune code
 *                       in the domain takes parsed filters; api/filters.ts re-exports it)
 *        keyedlock.ts   an async lock per key (containers, layers, pulls)
 *        api/types/     the wire types generated from the contract: type declarations only,
 *                       no runtime code, so every layer may import them with `import type`
 *                       (an exception to "nothing below the API imports src/api")
 *
 * Separately: no import loops anywhere under src/ or bin/.
 */

/** Layer names, top to bottom, used in the rule names ("layer-domain-imports-up"). */
const layerNames = ["bin", "roles", "wire", "domain", "store", "parts", "base"];

const layers = [
  ["bin"],
  ["src/cli", "src/daemon"],
  ["src/api", "src/client"],
  ["src/image", "src/container", "src/volume", "src/network", "src/distribution", "src/builder"],
  ["src/storage", "src/runtime", "src/init"],
  ["src/names", "src/logs", "src/archive", "src/streams"],
  [
    "src/sys",
    "src/errors.ts",
    "src/engine",
    "src/log.ts",
    "src/time.ts",
    "src/reexec.ts",
    "src/version.ts",
    "src/filters.ts",
    "src/keyedlock.ts",
    "src/api/types",
  ],
];

/** The generated wire types: under src/api/ but in the base layer (type declarations only). */
const wireTypes = "^src/api/types/";

/** A folder matches itself and everything under it; a file matches only itself. */
const pathOf = (p) => (p.endsWith(".ts") ? `^${p.replace(/\./g, "\\.")}$` : `^${p}/`);
const anyOf = (ps) => `(${ps.map(pathOf).join("|")})`;

/** One rule per layer: nothing in it imports anything in a layer above it. */
const layerRules = layers.slice(1).map((layer, i) => {
  const above = layers.slice(0, i + 1).flat();
  return {
    name: `layer-${layerNames[i + 1]}-imports-up`,
    comment: `${layer.join(", ")} may import only its own layer or lower ones, not ${above.join(", ")}`,
    severity: "error",
    from: { path: anyOf(layer) },
    to: { path: anyOf(above), pathNot: wireTypes },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Import loops make start-up order and module splits fragile; no loops at all.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "cli-not-daemon",
      comment: "The client is a separate role from the daemon: src/cli never imports src/daemon.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/daemon/" },
    },
    {
      name: "daemon-not-cli",
      comment: "The daemon never loads client code: src/daemon never imports src/cli or src/client.",
      severity: "error",
      from: { path: "^src/daemon/" },
      to: { path: "^src/(cli|client)/" },
    },
    {
      name: "domain-not-api",
      comment:
        "Domain modules (and everything under them) never import the API, the daemon or the CLI: " +
        "what they need from the wire (filters, shapes, version comparison) lives below the API.",
      severity: "error",
      from: { path: anyOf(layers.slice(3).flat()) },
      to: { path: "^src/(api|client|daemon|cli)/", pathNot: wireTypes },
    },
    {
      name: "api-not-client",
      comment: "The server side never imports the client side (only src/cli uses src/client).",
      severity: "error",
      from: { path: "^src/api/" },
      to: { path: "^src/client/" },
    },
    {
      name: "not-in-a-layer",
      comment: "Every file under src/ belongs to a layer above; a new top-level module gets a place here first.",
      severity: "error",
      from: { path: "^src/", pathNot: anyOf(layers.flat()) },
      to: {},
    },
    {
      name: "wire-types-type-only",
      comment: "Outside src/api, the wire types are imported as types only (import type): they hold no code.",
      severity: "error",
      from: { path: "^(src|bin)/", pathNot: "^src/api/" },
      to: { path: wireTypes, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "wire-types-import-nothing-above",
      comment: "src/api/types/ sits in the base layer: it imports only itself and the base.",
      severity: "error",
      from: { path: wireTypes },
      to: { path: "^(src|bin)/", pathNot: [wireTypes, anyOf(layers.at(-1))].join("|") },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6", "cjs"],
    reporterOptions: { text: { highlightFocused: true } },
  },
};
