"""Importing housings and owners from a file: ZLV's campaign export (XLSX) or a CSV close to
LOVAC. `read` turns a file into plain rows (their number in the file, header → raw value),
`plan` decides row by row what would be created, updated or refused and applies it in one
transaction. No Flask here: the command line and, later, the back-office call these."""
