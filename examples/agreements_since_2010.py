"""Which agreements were signed since 2010, by partner? A notebook-style walk through the Python API.

Run it as a script (``.venv/bin/python examples/agreements_since_2010.py [OUTPUT_FOLDER]``) or cell by
cell (``# %%``) in VS Code, PyCharm or Jupyter (jupytext). It runs the pipeline on the seed page into
OUTPUT_FOLDER (default: a new temporary folder), with a cache of its own beside it, loads the tables
with ``pipeline.load`` and answers with pandas on the one-row-per-agreement table.
"""

# %% Where the outputs go
import sys
import tempfile
from pathlib import Path

import pandas as pd

import pipeline

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "corpus" / "omd_partenaires_fr.txt"
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="omd-example-")) / "outputs"

# %% Run the pipeline (= python -m pipeline run corpus/omd_partenaires_fr.txt --out OUT)
summary = pipeline.run([PAGE], out=out, cache_dir=out.with_name(out.name + "-cache"))
print(f"{summary.kept} partners written to {out}")

# %% Load the tables: every column typed from datapackage.json (years are numbers, dates stay text)
tables = pipeline.load(out)
agreements = tables.agreement_list  # one row per agreement
print(agreements.dtypes[["partner", "date", "year", "status"]].to_string())

# %% Signed since 2010
# "Signed" is what SPEC.md calls `signed` (the text says it was signed) or `concluded` (the parties
# concluded it, entered into it: the same event in other words). `mentioned` only says that the
# instrument exists, and `pending` is still being negotiated. An undated agreement has no year
# (<NA>): it cannot be said to be from 2010 on, and is left out.
signed = agreements["status"].isin(["signed", "concluded"])
since_2010 = agreements["year"].ge(2010).fillna(False)
answer = agreements.loc[signed & since_2010, ["partner", "partner_acronym", "counterparts", "type", "date",
                                              "status"]].sort_values(["partner", "date"])
print(answer.to_string(index=False))

# %% By partner
print(f"\nAgreements signed since 2010: {len(answer)}, with {answer['partner'].nunique()} partner(s)")
for partner, rows in answer.groupby("partner", sort=True):
    acronym = rows["partner_acronym"].iloc[0]
    print(f"\n{partner}" + (f" ({acronym})" if pd.notna(acronym) else ""))
    for row in rows.itertuples():
        others = row.counterparts if pd.notna(row.counterparts) else "no other party named"
        print(f"  {row.date}  {row.type}  with {others}  ({row.status})")
