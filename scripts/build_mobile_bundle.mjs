// Builds the phone app's bundle: mobile/static/mobile/dist/app.min.js (every ES module of
// mobile/static/mobile/js/ from app.js, one minified file) and app.min.css. Each starts with
// the hash of its sources, which tests/mobile/test_bundle.py recomputes (mobile/bundle.py), so
// a committed bundle older than its sources fails the tests. Run: npm ci && npm run build
// (or `make bundle`).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { build } from "esbuild";

const ROOT = new URL("..", import.meta.url).pathname;
const STATIC = join(ROOT, "mobile", "static");
const SOURCES = ["mobile/js", "mobile/css/app.css"];
const NOT_IN_BUNDLE = new Set(["mobile/js/schedule_panel.js"]);

function walk(path) {
  const full = join(STATIC, path);
  if (statSync(full).isFile()) return [path];
  return readdirSync(full).flatMap((name) => walk(`${path}/${name}`));
}

export function sourceHash() {
  const files = SOURCES.flatMap(walk)
    .filter((p) => (p.endsWith(".js") || p.endsWith(".css")) && !NOT_IN_BUNDLE.has(p))
    .sort();
  const digest = createHash("sha256");
  for (const file of files) {
    digest.update(`${file}\0`);
    digest.update(readFileSync(join(STATIC, file)));
    digest.update("\0");
  }
  return digest.digest("hex").slice(0, 16);
}

const banner = `/* relapse phone app bundle; source-hash: ${sourceHash()}; built by scripts/build_mobile_bundle.mjs */`;
const common = { bundle: true, minify: true, banner: { js: banner, css: banner }, legalComments: "none", logLevel: "warning" };
await build({
  ...common,
  entryPoints: [join(STATIC, "mobile/js/app.js")],
  outfile: join(STATIC, "mobile/dist/app.min.js"),
  format: "esm",
  target: ["es2020"],
});
await build({
  ...common,
  entryPoints: [join(STATIC, "mobile/css/app.css")],
  outfile: join(STATIC, "mobile/dist/app.min.css"),
  target: ["chrome100", "safari15", "firefox100"],
});
console.log(`mobile bundle built (${relative(ROOT, join(STATIC, "mobile/dist")).split(sep).join("/")}): ${banner}`);
