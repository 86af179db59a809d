"""Units files: written and read back; every problem refused with a message naming it."""

from __future__ import annotations

import io

import pytest

from portal.experiments.table import Unit
from portal.experiments.units_file import UnitsFileError, read_units, write_units

UNITS = [Unit(f"u{i}", "standard" if i % 2 else "simplified", f"campagne {i % 3} × personne",
              {"scan": int(i % 5 == 0), "diagnostic": int(i % 10 == 0)})
         for i in range(400)]  # fmt: skip


def written(units=UNITS, metrics=("scan", "diagnostic")) -> str:
    out = io.StringIO()
    write_units(units, metrics, out)
    return out.getvalue()


def test_written_then_read_gives_the_same_units():
    assert written().splitlines()[0] == "unit,arm,stratum,scan,diagnostic"
    assert read_units(io.StringIO(written()), "scan") == UNITS


def test_semicolons_and_a_bom_are_read():
    text = "\ufeff" + written().replace(",", ";")
    assert read_units(io.BytesIO(text.encode("utf-8")), "scan") == UNITS


NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Le fichier est vide."),
        ("  \n\n", "Le fichier est vide."),
        ("unit,arm,scan\nx,a,1\n", f"Colonne manquante{NBSP}: stratum (le fichier doit "
         "commencer par les colonnes unit, arm, stratum)."),
        ("id,groupe,scan\nx,a,1\n", f"Colonne manquante{NBSP}: unit, arm, stratum (le fichier doit "
         "commencer par les colonnes unit, arm, stratum)."),
        ("unit,arm,stratum\nx,a,s\n", "Aucune colonne de mesure (0 ou 1) après unit, arm et "
         "stratum."),
        ("unit,arm,stratum,diagnostic,callback\nx,a,s,1,0\n",
         f"La mesure «{NBSP}scan{NBSP}» n’est pas une colonne du fichier{NNBSP}; colonnes de "
         f"mesure présentes{NBSP}: diagnostic, callback."),
        ("unit,arm,stratum,scan\nx,a,s,2\n", f"Ligne 2, colonne scan{NBSP}: «{NBSP}2{NBSP}» "
         "au lieu de 0 ou 1."),
        ("unit,arm,stratum,scan\nx,a,s,1\ny,a,s,oui\n", f"Ligne 3, colonne scan{NBSP}: "
         f"«{NBSP}oui{NBSP}» au lieu de 0 ou 1."),
        ("unit,arm,stratum,scan\nx,a,s,\n", f"Ligne 2, colonne scan{NBSP}: «{NBSP}{NBSP}» "
         "au lieu de 0 ou 1."),
        ("unit,arm,stratum,scan\nx,a,s,1\nx,b,s,0\n", f"Ligne 3{NBSP}: l’unité «{NBSP}x{NBSP}» "
         "figure déjà ligne 2 (une ligne par unité)."),
        ("unit,arm,stratum,scan\n,a,s,1\n", f"Ligne 2{NBSP}: la colonne unit est vide."),
        ("unit,arm,stratum,scan\nx, ,s,1\n", f"Ligne 2{NBSP}: la colonne arm est vide."),
        ("unit,arm,stratum,scan\nx,a,s\n", f"Ligne 2{NBSP}: 3 colonnes au lieu de 4."),
        ("unit,arm,stratum,scan\n", "Le fichier n’a aucune ligne d’unité après l’en-tête."),
        ("unit,arm,stratum,scan,scan\nx,a,s,1,1\n", f"Colonne en double{NBSP}: scan."),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_the_problem_named(text, message):
    with pytest.raises(UnitsFileError) as error:
        read_units(io.StringIO(text), "scan")
    assert str(error.value) == message


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("unit,arm,stratum,scan\né,a,s,1\n".encode("latin-1"))
    with pytest.raises(UnitsFileError) as error:
        read_units(path)
    assert str(error.value) == (f"Le fichier n’est pas en UTF-8 (ligne 2, octet 23){NBSP}: "
                                "enregistrez-le en CSV UTF-8.")  # fmt: skip
    with pytest.raises(UnitsFileError, match="n’existe pas"):
        read_units(tmp_path / "missing.csv")


def test_a_metric_is_optional_and_every_metric_column_is_read(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbfunit;arm;stratum;scan;diagnostic\r\n"
                     b"a;standard;\"c1; personne\";1;0\r\nb;simplified;c1;0;0\r\n")  # fmt: skip
    assert read_units(path) == [
        Unit("a", "standard", "c1; personne", {"scan": 1, "diagnostic": 0}),
        Unit("b", "simplified", "c1", {"scan": 0, "diagnostic": 0}),
    ]


def test_commas_win_when_a_semicolon_is_only_inside_a_quoted_stratum():
    text = 'unit,arm,stratum,scan\nx,a,"c1; personne",1\n'
    assert read_units(io.StringIO(text)) == [Unit("x", "a", "c1; personne", {"scan": 1})]


def test_write_units_writes_only_the_metrics_asked_in_their_order():
    out = io.StringIO()
    write_units([Unit("x", "a", "s", {"scan": 1, "diagnostic": 0, "callback": 1})],
                ["callback", "scan"], out)  # fmt: skip
    assert out.getvalue() == "unit,arm,stratum,callback,scan\nx,a,s,1,1\n"
