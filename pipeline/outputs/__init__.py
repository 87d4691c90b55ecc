"""What a run writes, and how: the columns of every view (``tables``), their rows (``rows``), their
schema and Data Package (``schema``), the writers of each format (``writing``, ``workbook``, ``report``), writing in
background processes (``background``) and the output folder replaced as a whole (``folder``); also the review
page of a gold drafted from a run (``review``).

Nothing here analyses text: the outputs are functions of the models and the configuration.
"""
