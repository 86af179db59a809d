// The same kind of work in Publicodes 1.10.1 (npm), for comparison with bench_rules.py:
// ten aids, each "applicable si" several conditions on enum answers and context, with an
// amount; one evaluation = set a situation, then evaluate the ten aids (value + missing
// variables), as our engine does for its aids. Prints evaluations per second.
// Run: node bench/publicodes_ten_aids.mjs [seconds]   (after `npm ci`)
import Engine from "publicodes";

const q = (values) => ({ "une possibilité": values });
const rules = {
  situation: { question: "Situation ?", ...q(["vide", "loue", "vendu"]) },
  "situation . vide": null, "situation . loue": null, "situation . vendu": null,
  vacance: { question: "Vide depuis ?", ...q(["moins", "plus"]) },
  "vacance . moins": null, "vacance . plus": null,
  projet: { question: "Projet ?", ...q(["louer", "vendre"]) },
  "projet . louer": null, "projet . vendre": null,
  travaux: { question: "Travaux ?", ...q(["aucun", "lourds"]) },
  "travaux . aucun": null, "travaux . lourds": null,
  dpe: { question: "DPE ?", ...q(["A", "E", "G"]) },
  "dpe . A": null, "dpe . E": null, "dpe . G": null,
  "loyer modere": { question: "Loyer modéré ?", "par défaut": "non" },
  revenus: { question: "Revenus ?", ...q(["modestes", "superieurs"]) },
  "revenus . modestes": null, "revenus . superieurs": null,
  densite: { question: "Densité ?", "par défaut": 1 },
  opah: { question: "OPAH ?", "par défaut": "non" },
  "zone tendue": { question: "Zone tendue ?", "par défaut": "non" },
};
const conditions = [
  ["situation = 'vide'", "vacance = 'plus'", "projet = 'louer'", "densite >= 5", "opah"],
  ["situation = 'vide'", "travaux = 'lourds'", "loyer modere", "dpe != 'A'"],
  ["situation = 'vide'", "dpe != 'G'", "projet = 'louer'", "loyer modere"],
  ["situation = 'vide'", "projet = 'louer'", "dpe != 'G'"],
  ["situation = 'vide'", "projet = 'louer'", "dpe != 'G'", "travaux = 'aucun'"],
  ["situation = 'vide'", "travaux = 'lourds'", "dpe = 'G'"],
  ["situation = 'vide'", "projet = 'vendre'"],
  ["situation = 'vide'", "travaux = 'lourds'", "projet = 'louer'", "revenus = 'superieurs'"],
  ["situation = 'vide'", "zone tendue", "vacance = 'plus'"],
  ["situation = 'vide'", "travaux = 'lourds'"],
];
conditions.forEach((all, i) => {
  rules[`aide ${i}`] = { "applicable si": { "toutes ces conditions": all }, valeur: `${1000 * (i + 1)} €` };
});
rules["aide 1"].valeur = { variations: [
  { si: "revenus = 'modestes'", alors: "40000 € * 60%" }, { sinon: "40000 € * 10%" }] };

const engine = new Engine(rules);
const situations = [
  {},
  { situation: "'vide'" },
  { situation: "'vendu'" },
  { situation: "'vide'", vacance: "'plus'", projet: "'louer'", densite: 6, opah: "oui" },
  { situation: "'vide'", vacance: "'plus'", projet: "'louer'", travaux: "'lourds'", dpe: "'G'",
    "loyer modere": "oui", revenus: "'modestes'", densite: 6, opah: "oui" },
];
const seconds = Number(process.argv[2] || 3);
let done = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  for (const situation of situations) {
    engine.setSituation(situation);
    for (let i = 0; i < 10; i++) engine.evaluate(`aide ${i}`);
    done += 1;
  }
}
const perSecond = done / ((performance.now() - start) / 1000);
console.log(`publicodes 1.10.1, ten aids: ${Math.round(perSecond)} evaluations/s`);
