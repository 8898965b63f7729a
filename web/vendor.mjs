// Copy the browser assets of the web page from node_modules into src/sahelkg/static/vendor/.
// Run through vendor.sh (npm ci first). The output is committed, so a fresh clone needs no npm.
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import esbuild from "esbuild";
import * as topojson from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "sahelkg", "static", "vendor");
const require = createRequire(import.meta.url);
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));
const version = (name) => JSON.parse(readFileSync(join(pkgDir(name), "package.json"), "utf8")).version;
mkdirSync(out, { recursive: true });

// CodeMirror 5: the editor, its SPARQL mode, hints (prefix completion), bracket matching.
const cm = pkgDir("codemirror");
const jsParts = [
  "lib/codemirror.js",
  "mode/sparql/sparql.js",
  "addon/hint/show-hint.js",
  "addon/edit/matchbrackets.js",
  "addon/edit/closebrackets.js",
  "addon/comment/comment.js",
];
let js = `/* CodeMirror ${version("codemirror")} (MIT, see LICENSE-codemirror.txt): ${jsParts.join(", ")} */\n`;
for (const part of jsParts) {
  const { code } = await esbuild.transform(readFileSync(join(cm, part), "utf8"), { minify: true, loader: "js" });
  js += code;
}
writeFileSync(join(out, "codemirror.min.js"), js);
let css = `/* CodeMirror ${version("codemirror")} (MIT, see LICENSE-codemirror.txt) */\n`;
for (const part of ["lib/codemirror.css", "addon/hint/show-hint.css"]) {
  const { code } = await esbuild.transform(readFileSync(join(cm, part), "utf8"), { minify: true, loader: "css" });
  css += code;
}
writeFileSync(join(out, "codemirror.min.css"), css);
copyFileSync(join(cm, "LICENSE"), join(out, "LICENSE-codemirror.txt"));

// Country outlines (Natural Earth 1:50m via world-atlas) around the Sahel, as GeoJSON for the SVG map.
const atlas = pkgDir("world-atlas");
const topo = JSON.parse(readFileSync(join(atlas, "countries-50m.json"), "utf8"));
const world = topojson.feature(topo, topo.objects.countries);
const BOX = { west: -30, east: 45, south: -8, north: 48 };
const round = (x) => Math.round(x * 100) / 100;
function ringsOf(geometry) {
  return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
}
const features = [];
for (const f of world.features) {
  if (!f.geometry) continue;
  const polygons = [];
  for (const polygon of ringsOf(f.geometry)) {
    const outer = polygon[0];
    const xs = outer.map((p) => p[0]), ys = outer.map((p) => p[1]);
    // Keep a polygon whose bounding-box centre lies in the box (so not all of Russia for Kaliningrad).
    const cx = (Math.max(...xs) + Math.min(...xs)) / 2, cy = (Math.max(...ys) + Math.min(...ys)) / 2;
    if (cx < BOX.west || cx > BOX.east || cy < BOX.south || cy > BOX.north) continue;
    polygons.push(polygon.map((ring) => {
      const r = [];
      for (const [x, y] of ring) {
        const p = [round(x), round(y)];
        const last = r[r.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) r.push(p);
      }
      return r;
    }));
  }
  if (polygons.length) {
    features.push({ type: "Feature", properties: { name: f.properties.name },
                    geometry: { type: "MultiPolygon", coordinates: polygons } });
  }
}
writeFileSync(join(out, "countries.geojson"), JSON.stringify({
  type: "FeatureCollection",
  source: `world-atlas ${version("world-atlas")} countries-50m.json (Natural Earth, public domain; ISC, see LICENSE-world-atlas.txt), cut to lon ${BOX.west}..${BOX.east}, lat ${BOX.south}..${BOX.north}`,
  features,
}));
copyFileSync(join(atlas, "LICENSE"), join(out, "LICENSE-world-atlas.txt"));

writeFileSync(join(out, "VERSIONS.txt"),
  ["codemirror", "world-atlas", "topojson-client", "esbuild"].map((n) => `${n} ${version(n)}`).join("\n") + "\n");
console.log(`wrote ${out}`);
