"""What analysts run on the outputs: ``evaluate`` (scores against a hand-made gold file) and ``diff``
(what changed between two runs). Both work on ``partners.json`` content as plain data.
"""
