// Mes Aides Réno's Publicodes model (vendored in tests/fixtures/mesaidesreno/, MIT), run on
// the landlord situations of bench/mes_aides_reno_situations.json. Prints JSON:
//   {"model": {...}, "results": {situation id: {rule: {"value", "unit", "missing"}}}}
// The rules are assembled as MAR's app/règles/rules.ts does (same files, same prefixes),
// parsed with `yaml` (MAR's webpack yaml-loader uses the same library) and evaluated with
// npm's `publicodes` (exact versions in package.json).
// Run: node bench/mes_aides_reno.mjs   (after `npm ci`)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Engine from "publicodes";
import { parse } from "yaml";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MODEL = join(ROOT, "tests", "fixtures", "mesaidesreno");
const SITUATIONS = join(ROOT, "bench", "mes_aides_reno_situations.json");

// [file under règles/, prefix or null], in rules.ts's order (later keys win, as there).
const FILES = [
  ["index.yaml", null],
  ["revenus.yaml", null],
  ["gestes.yaml", "gestes"],
  ["gestes/chauffage/PAC.yaml", "gestes"],
  ["gestes/chauffage.yaml", "gestes"],
  ["gestes/isolation.yaml", "gestes"],
  ["gestes/chauffage/bois.yaml", "gestes"],
  ["gestes/chauffage/réseau.yaml", "gestes"],
  ["gestes/chauffage/solaire.yaml", "gestes"],
  ["aides-locales.publicodes", "aides locales"],
  ["ampleur.publicodes", null],
  ["MPRA.publicodes", null],
  ["CEE.publicodes", null],
  ["denormandie.publicodes", null],
  ["taxe-foncière.publicodes", null],
  ["PTZ.publicodes", null],
  ["PAR.publicodes", null],
  ["copropriete.publicodes", null],
  ["mpa/ma-prime-adapt.publicodes", null],
  ["mpa/locavantage.publicodes", null],
  ["mpa/credit-impot.publicodes", null],
  ["mpa/pret-amelioration-habitat.publicodes", null],
  ["mpa/prestation-compensation-handicap.publicodes", null],
  ["mpa/allocation-personnalisee-autonomie.publicodes", null],
  ["mpa/allocation-education-enfant-handicape.publicodes", null],
  ["mpa/TVA.publicodes", null],
  ["ma-prime-logement-decent.publicodes", null],
  ["outre-mer.publicodes", null],
  ["gestes/bonus-outre-mer/index.publicodes", "gestes"],
  ["gestes/bonus-outre-mer/rampants.publicodes", "gestes"],
  ["gestes/bonus-outre-mer/murs.publicodes", "gestes"],
  ["gestes/bonus-outre-mer/chauffage.publicodes", "gestes"],
  ["gestes/bonus-outre-mer/clim.publicodes", "gestes"],
];

export function loadRules() {
  const rules = {};
  for (const [file, prefix] of FILES) {
    const parsed = parse(readFileSync(join(MODEL, "règles", file), "utf8"));
    for (const [key, value] of Object.entries(parsed)) {
      const name = prefix === null ? key : key === "" ? prefix : `${prefix} . ${key}`;
      rules[name] = value;
    }
  }
  return rules;
}

function unit(u) {
  if (!u) return null;
  const top = u.numerators.join(".");
  return u.denominators.length ? `${top}/${u.denominators.join(".")}` : top || null;
}

function result(engine, rule) {
  const evaluation = engine.evaluate(rule);
  const value = evaluation.nodeValue;
  return {
    value: typeof value === "number" ? Math.round(value * 100) / 100 : (value ?? null),
    unit: unit(evaluation.unit),
    missing: Object.keys(evaluation.missingVariables ?? {}),
  };
}

function marRules(row) {
  if (row.mar === null) return [];
  return Array.isArray(row.mar) ? row.mar : [row.mar];
}

const spec = JSON.parse(readFileSync(SITUATIONS, "utf8"));
const engine = new Engine(loadRules(), { logger: { log() {}, warn() {}, error: console.error } });
const results = {};
for (const situation of spec.situations) {
  engine.setSituation({ ...spec.mar_base, ...situation.mar });
  const values = {};
  for (const row of situation.compare) {
    for (const rule of marRules(row)) values[rule] = result(engine, rule);
  }
  results[situation.id] = values;
}
const source = JSON.parse(readFileSync(join(MODEL, "source.json"), "utf8"));
console.log(JSON.stringify({ model: source, results }, null, 1));
