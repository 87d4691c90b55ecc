"""The notebook-style examples in examples/, run as an analyst runs them, answer their question right.

The expected answers are read from the seed page and its gold file, not from the pipeline: of the 15
agreements the gold lists, two are dated 2010 or later, both signed ("a été signé le …").
"""

import json
import os
import subprocess
import sys

from conftest import ROOT

GOLD = ROOT / "corpus" / "gold" / "omd_partenaires_fr.gold.json"


def test_the_gold_has_two_agreements_since_2010():
    """Where the expected rows below come from."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    since = sorted((p["acronym"], a["date"], a["type"], tuple(a["parties"])) for p in gold["partners"]
                   for a in p["agreements"] if a.get("date") and int(a["date"][:4]) >= 2010)
    assert since == [("OICS", "2012-04-12", "memorandum_of_understanding", ("OMD", "OICS")),
                     ("ONUDC", "2010-03-18", "memorandum_of_understanding", ("OMD", "ONUDC"))]


def test_agreements_signed_since_2010_by_partner(tmp_path):
    out = tmp_path / "outputs"
    # PYTHONPATH: this tree's package, whatever the virtual environment has installed
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "agreements_since_2010.py"), str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    answer = result.stdout[result.stdout.index("Agreements signed since 2010"):].splitlines()
    assert answer == [
        "Agreements signed since 2010: 2, with 2 partner(s)",
        "",
        "Office des Nations Unies contre la drogue et le crime (ONUDC)",
        "  2010-03-18  memorandum_of_understanding  with OMD  (signed)",
        "",
        "Organe international de contrôle des stupéfiants (OICS)",
        "  2012-04-12  memorandum_of_understanding  with OMD  (signed)",
    ]
    # it wrote where it was told, with a cache of its own beside it
    assert (out / "agreement_list.csv").is_file() and (tmp_path / "outputs-cache").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs", "outputs-cache"]
