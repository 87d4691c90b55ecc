"""What analysts run on the outputs: ``evaluate`` (scores against a hand-made gold file), ``diff``
(what changed between two runs) and ``gold`` (a gold file drafted from a run, for a person to review).
They work on ``partners.json`` content as plain data.
"""
