"""Experiments on letter and page wordings (pre-registered, randomised, analysed with intervals).

- `metrics`: the outcomes a trial may measure, per letter, as 0/1.
- `wordings`: the wording variants arms can use, read from guidance_content/ (letters/ and
  pages/), each naming the behavioural lever it tests.
- `registry`: drafts, validation, launch (frozen pre-registration and its hash), stop.
- `assign`: letter experiments assign arms when the letters are generated (salted hash,
  permuted blocks within each stratum, stored before printing); page experiments assign at
  the first view, sticky, exposure logged once.
- `units`: the per-unit table (pseudonymised letter id, arm, stratum, one 0/1 column per
  metric) the analysis runs over, and its CSV export.
- `analysis`, `power`, `units_file`: statistics with statsmodels and scipy, over any such
  table (ours, or a CSV built elsewhere); `portal experiments analyse` prints the same report.

No Flask import outside the CLI: the back-office, the owner pages and /stats call in.
"""
