from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.utils.safestring import SafeString

from delegations.core import formats
from delegations.core import graphiques as g

NS = {"svg": g.SVG_NS}


def _arbre(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_picture_is_valid_svg_named_by_its_title_and_desc() -> None:
    markup = g.svg(
        300,
        100,
        "Titre",
        [g.intitule(0, 16, "Titre"), g.ligne(0, 50, 300, 50.25, "#999")],
        description="Une description",
        identifiant="g-1",
        classe="graphique",
    )
    assert isinstance(markup, SafeString)
    racine = _arbre(markup)
    assert racine.tag == f"{{{g.SVG_NS}}}svg"
    assert racine.get("role") == "img" and racine.get("aria-labelledby") == "g-1"
    assert racine.get("viewBox") == "0 0 300 100" and racine.get("class") == "graphique"
    titre = racine.find("svg:title", NS)
    assert titre is not None and titre.text == "Titre" and titre.get("id") == "g-1"
    assert racine[0] is titre  # the accessible name comes first
    desc = racine.find("svg:desc", NS)
    assert desc is not None and desc.text == "Une description"
    trait = racine.find("svg:line", NS)
    assert trait is not None
    # ints are written as is, floats with one decimal
    assert (trait.get("x1"), trait.get("y2"), trait.get("stroke")) == ("0", "50.2", "#999")
    caption = racine.find("svg:text", NS)
    assert caption is not None and caption.get("font-weight") == "bold"


def test_labels_and_attributes_are_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'co'"
    markup = g.svg(
        200,
        100,
        hostile,
        [
            g.texte(1, 2, hostile),
            g.rectangle(0, 0, 10, 10, '"><script>', titre=hostile),
            g.polyligne([(0, 0), (1, 1)], "#000", titre=hostile),
            *g.legende([g.EntreeLegende(hostile, "#000091")], 0, 20),
        ],
        description=hostile,
    )
    assert "<script>" not in markup
    racine = _arbre(markup)  # still well-formed
    textes = [e.text for e in racine.iter() if e.text]
    assert textes.count(hostile) == 6  # title, desc, text, 2 tooltips, legend: round trip intact
    rect = racine.find("svg:rect", NS)
    assert rect is not None and rect.get("fill") == '"><script>'


def test_linear_scale_maps_values_to_pixels() -> None:
    y = g.Echelle(0.0, 200.0, 180, 20)  # y axis: bottom 180 for 0, top 20 for 200
    assert y(0) == 180 and y(200) == 20 and y(Decimal("50")) == 140
    assert y.longueur(Decimal("100")) == 80
    negatif = g.Echelle(-10.0, 30.0, 100, 0)
    assert negatif(0) == 75 and negatif(-10) == 100 and negatif.longueur(0) == 25
    assert g.Echelle(5.0, 5.0, 0, 100)(5) == 50  # degenerate domain: middle, no division by zero


def test_date_scale_and_single_date() -> None:
    x = g.EchelleDates(dt.date(2024, 1, 1), dt.date(2024, 1, 11), 100, 200)
    assert x(dt.date(2024, 1, 1)) == 100 and x(dt.date(2024, 1, 6)) == 150
    seule = g.EchelleDates(dt.date(2024, 1, 1), dt.date(2024, 1, 1), 100, 200)
    assert seule(dt.date(2024, 1, 1)) == 150


def test_grouped_bars_heights_follow_values() -> None:
    echelle = g.Echelle(0.0, 100.0, 110, 10)  # 100 px for 100
    series = [g.SerieBarres("A", [Decimal("50"), 100], "#111"), g.SerieBarres("B", [25], "#222")]
    groupes, centres = g.barres_groupees(
        2, series, 0, 200, echelle, titre=lambda i, s, v: f"{s.libelle} {i} : {v}"
    )
    assert len(groupes) == 2 and all(len(rects) == 2 for rects in groupes)
    racine = _arbre(g.svg(200, 120, "Barres", [r for rects in groupes for r in rects]))
    rects = racine.findall("svg:rect", NS)
    hauteurs = [float(r.get("height", "")) for r in rects]
    assert hauteurs == [50.0, 25.0, 100.0, 0.0]  # a missing value draws a flat bar
    assert [float(r.get("y", "")) for r in rects] == [60.0, 85.0, 10.0, 110.0]
    titres = [r.findtext("svg:title", namespaces=NS) for r in rects]
    assert titres == ["A 0 : 50", "B 0 : 25", "A 1 : 100", "B 1 : 0"]
    # each group is 100 px wide, its bars take 80 % of it after a 10 % margin: centred
    assert centres == [50.0, 150.0]


def test_polyline_points_and_dashes() -> None:
    element = _arbre(
        g.svg(10, 10, "t", [g.polyligne([(1, 2.26), (3.04, 4)], "#000091", pointilles="6 4")])
    ).find("svg:polyline", NS)
    assert element is not None
    assert element.get("points") == "1.0,2.3 3.0,4.0"
    assert element.get("fill") == "none" and element.get("stroke-dasharray") == "6 4"


def test_grid_and_french_amount_labels() -> None:
    assert g.graduations(0) == [0.0] and g.graduations(-5) == [0.0]
    ticks = g.graduations(1_000_000)
    assert ticks[:5] == [0, 250_000, 500_000, 750_000, 1_000_000]  # round steps from 0
    assert ticks[-1] >= 1_000_000 and g.graduations(7.5)[-1] >= 7.5  # the top value is covered
    assert [
        formats.montant_court(v) for v in (900, 350_000, 1_200_000, 2_000_000, Decimal("-1500"))
    ] == [
        "900\xa0€",
        "350\xa0k\xa0€",
        "1,2\xa0M\xa0€",
        "2\xa0M\xa0€",
        "-1,5\xa0k\xa0€",
    ]
    assert formats.nombre_fr(Decimal("1234567.50")) == "1\u202f234\u202f567,50"
    assert formats.nombre_fr(Decimal("12.00")) == "12"
    echelle = g.Echelle(0.0, 500_000.0, 100, 0)
    racine = _arbre(g.svg(300, 120, "t", g.grille_valeurs([0, 250_000], echelle, 60, 300)))
    assert [t.text for t in racine.findall("svg:text", NS)] == ["0\xa0€", "250\xa0k\xa0€"]
    assert [ligne.get("y1") for ligne in racine.findall("svg:line", NS)] == ["100.0", "50.0"]


def test_empty_chart_says_so() -> None:
    markup = g.svg_vide("Rien <ici>", 320)
    racine = _arbre(markup)
    assert racine.findtext("svg:title", namespaces=NS) == "Rien <ici>"
    assert g.MESSAGE_VIDE in [t.text for t in racine.findall("svg:text", NS)]
    assert racine.get("viewBox") == "0 0 320 60"
    # no marks at all is still a valid picture
    assert _arbre(g.svg(10, 10, "vide", [])).findtext("svg:title", namespaces=NS) == "vide"
    assert g.legende([], 0, 0) == [] and g.barres_groupees(
        0, [], 0, 10, g.Echelle(0, 1, 0, 1), titre=str
    ) == ([], [])
