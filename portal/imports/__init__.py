"""Importing housings and owners from a file: ZLV's campaign export (XLSX) or a CSV close to
LOVAC. `read` (with `xlsx`) turns a file into plain rows, `validate` checks a row on its own,
`plan` decides chunks of rows against the database and writes them, `run` drives a preview
or an import from start to end (counts, refused rows, report), `messages` words reasons and
file errors in the reader's language. Only `messages` and `run` use Flask (Flask-Babel's
gettext); the command line (portal/commands/imports.py) and the back-office's jobs
(portal/jobs/imports.py) call `run`."""
