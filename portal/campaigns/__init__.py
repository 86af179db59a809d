"""Campaigns as ZLV has them: built from a selection of housings (build), sent from their
send date (schedule), counted by ZLV's return rule (returns). No Flask: the back-office,
the CLI and the jobs call these functions with a session and a collectivité."""
