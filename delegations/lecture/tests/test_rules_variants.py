"""Rules for the variants real conventions show (issue 12), one test each on fictional snippets."""

from __future__ import annotations

from datetime import date

from delegations.lecture.extraction import extract_text
from delegations.lecture.extraction.rules.chorus import SHAPES, code_value, resolve_by_shape
from delegations.lecture.extraction.textutil import find_dates

from .helpers import fictional


def codes(result: dict) -> set[str]:
    return {a["code"] for a in result["alertes"]}


def _with_parties(delegant: str, delegataire: str) -> str:
    text = fictional()
    text = text.replace(
        "Représenté par Jeanne Martin-Roux, directrice des balises côtières,", delegant
    )
    return text.replace(
        "Représentée par Paul Durand, directeur interministériel du numérique,", delegataire
    )


def test_representative_clause_without_par_still_gives_the_representative() -> None:
    r = extract_text(
        _with_parties(
            "Représenté Mme Jeanne Martin-Roux, directrice des balises côtières,",
            "Représentée Paul Durand, directeur interministériel du numérique,",
        )
    )
    assert r["delegant"]["representant"] == {
        "nom": "Jeanne Martin-Roux",
        "qualite": "directrice des balises côtières",
    }
    assert r["delegataire"]["representant"] == {
        "nom": "Paul Durand",
        "qualite": "directeur interministériel du numérique",
    }


def test_representative_named_after_the_title_with_or_without_comma() -> None:
    r = extract_text(
        _with_parties(
            "Représenté par la directrice des balises côtières Mme Jeanne Martin-Roux,",
            "Représentée par son directeur, M. Paul Durand,",
        )
    )
    assert r["delegant"]["representant"] == {
        "nom": "Jeanne Martin-Roux",
        "qualite": "directrice des balises côtières",
    }
    assert r["delegataire"]["representant"] == {"nom": "Paul Durand", "qualite": "directeur"}


def test_services_named_as_a_mission_or_a_service_in_the_object() -> None:
    text = fictional().replace(
        "de construire le service numérique Phare Connect pour les gardiens",
        "de consolider la mission interministérielle Feux du Large et le service Vigie Côtière",
    )
    r = extract_text(text)
    assert r["services"] == ["Feux du Large", "Vigie Côtière"]


def test_lower_case_mission_is_not_a_service() -> None:
    text = fictional().replace(
        "de construire le service numérique Phare Connect pour les gardiens",
        "de financer les travaux de la mission balisage",
    )
    assert extract_text(text)["services"] == []


def test_axis_written_in_words_after_its_label_is_kept_as_written() -> None:
    r = extract_text(
        fictional(chorus="Axe ministériel 1\tSécurité   maritime\nAxe ministériel 2 : 44")
    )
    assert r["imputation"]["axe_ministeriel_1"] == "Sécurité maritime"
    assert r["imputation"]["axe_ministeriel_2"] == "44"


def test_axis_said_to_be_without_object_is_null() -> None:
    r = extract_text(fictional(chorus="Axe ministériel 1 : sans objet"))
    assert r["imputation"]["axe_ministeriel_1"] is None


def test_domaine_fonctionnel_without_leading_zero_is_normalised() -> None:
    r = extract_text(fictional(chorus="Domaine fonctionnel : 999-02-01"))
    assert r["imputation"]["domaine_fonctionnel"] == "0999-02-01"
    assert "imputation_incoherente" not in codes(r)


def test_normalised_domaine_fonctionnel_of_another_programme_is_still_checked() -> None:
    r = extract_text(fictional(chorus="Domaine fonctionnel : 998-02-01"))
    assert r["imputation"]["domaine_fonctionnel"] == "0998-02-01"
    assert "imputation_incoherente" in codes(r)


def test_ocr_ambiguous_character_corrected_only_when_one_reading_fits() -> None:
    # A 5 among the letters can only be an S; an O among the digits only a zero.
    assert code_value("centre_de_cout", "PHA5BA0O42", True) == "PHASBA0042"
    # An O between the letters and the digits may be either: kept as read.
    assert resolve_by_shape("PHASBAO042", SHAPES["centre_de_cout"]) == "PHASBAO042"
    assert code_value("domaine_fonctionnel", "O999-O2-0I", True) == "0999-02-01"
    # Text that is not OCR is never changed.
    assert code_value("centre_de_cout", "PHA5BA0O42", False) == "PHA5BA0O42"


def test_dates_written_in_words() -> None:
    found = find_dates("le premier mars deux mille vingt-quatre et le trente et un mai 2025")
    assert [d.value for d in found] == [date(2024, 3, 1), date(2025, 5, 31)]


def test_end_date_in_words() -> None:
    r = extract_text(
        fictional(
            duration="La convention prend effet à sa signature et s'achève le trente juin "
            "deux mille vingt-cinq."
        )
    )
    assert r["date_fin"] == "2025-06-30"


def test_signature_dates_in_two_columns_give_the_last_one() -> None:
    r = extract_text(
        fictional(
            signature="Pour le délégant\tPour le délégataire\n"
            "Le 2 avril 2024\tLe premier mars deux mille vingt-quatre\n"
            "Jeanne Martin-Roux\tPaul Durand"
        )
    )
    assert r["date_signature"] == "2024-04-02"


def test_schedule_by_semester_adds_up_per_year_with_amounts_in_k_and_m_euros() -> None:
    r = extract_text(
        fictional(
            amount_clause="Le montant délégué est fixé à 1,1 M€.",
            schedule="Période\tAE\tCP\n1er semestre 2024\t400 k€\t300 k€\n"
            "2e semestre 2024\t200 k€\t300 k€\nS1 2025\t0,5 M€\t500 k€",
            duration="La convention prend effet à sa signature et court jusqu'au 31/12/2025.",
        )
    )
    assert r["echeancier"] == [
        {"annee": 2024, "ae": "600000.00", "cp": "600000.00"},
        {"annee": 2025, "ae": "500000.00", "cp": "500000.00"},
    ]
    assert r["montant_total_ae"] == "1100000.00"
    assert r["alertes"] == []


def test_two_ministries_without_dinum() -> None:
    text = fictional().replace(
        "La Direction interministérielle du numérique (DINUM),\n"
        "Représentée par Paul Durand, directeur interministériel du numérique,",
        "Le ministère des Ports et Écluses (MPE),\nReprésenté par Paul Durand, secrétaire général,",
    )
    r = extract_text(text)
    assert r["delegant"]["sigle"] == "MPB"
    assert r["delegataire"]["sigle"] == "MPE"
    assert r["delegataire"]["representant"]["qualite"] == "secrétaire général"


def test_bop_read_as_written_from_a_line_or_the_text() -> None:
    assert extract_text(fictional(chorus="Code programme\tP 999 _ BOP PHAR"))["bop"] == (
        "P 999 _ BOP PHAR"
    )
    text = fictional(
        extra="Les crédits relèvent du budget opérationnel de programme (BOP) [0999-PHAR]."
    )
    assert extract_text(text)["bop"] == "0999-PHAR"
    assert extract_text(fictional())["bop"] is None


def test_cofinancing_by_the_delegataire_or_a_fund_is_listed_and_not_a_total() -> None:
    r = extract_text(
        fictional(
            reporting="Le délégataire co-finance le service à hauteur de 40 000 €. Le service "
            "bénéficie aussi d'un cofinancement de 15 k€ du Fonds des phares (FDP) pour "
            "l'accessibilité.\nLe délégataire rend compte au délégant au terme de la délégation."
        )
    )
    assert [(c["financeur"], c["montant"]) for c in r["cofinancements"]] == [
        ("DINUM", "40000.00"),
        ("FDP", "15000.00"),
    ]
    assert all(c["objet"] for c in r["cofinancements"])
    assert r["montant_total_ae"] == "120000.00"
    assert "montant_incoherent" not in codes(r)


def test_delegants_own_credits_for_a_cofinancing_are_not_a_cofinancing() -> None:
    r = extract_text(
        fictional(
            amount_clause="Le délégant met à disposition les crédits nécessaires au "
            "co-financement de l'action, soit 120 000 €."
        )
    )
    assert r["cofinancements"] == []


def test_earlier_conventions_and_amendments_are_split_with_type_number_and_date() -> None:
    r = extract_text(
        fictional(
            extra="Vu la convention du 5 mai 2022 ;\nVu l'avenant n° 2 du 3 février 2023 ;\n"
            "Faisant suite à la convention initiale et ses avenants du 1er juin 2022 et du "
            "9 septembre 2022, il a été convenu ce qui suit."
        )
    )
    got = [(p["type"], p["numero"], p["date"]) for p in r["conventions_precedentes"]]
    assert got == [
        ("convention", None, "2022-05-05"),
        ("avenant", 2, "2023-02-03"),
        ("convention", None, None),
        ("avenant", None, "2022-06-01"),
        ("avenant", None, "2022-09-09"),
    ]
    assert all(p["texte"] for p in r["conventions_precedentes"])


def test_confidence_is_one_for_typed_text_and_lower_for_ocr_values_read_once() -> None:
    from delegations.lecture.extraction.document import doc_from_plain
    from delegations.lecture.extraction.rules import analyse

    typed = extract_text(fictional(chorus="Centre de coût : PHASBA0042"))
    assert {w["confiance"] for w in typed["sources"].values()} == {1.0}
    text = fictional(
        chorus="Centre de coût : PHASBAO042\nCentre financier : 0999-PHAR-BAL1",
        signature="Fait à Lyon, le 3 avril 2024\nJeanne Martin-Roux",
    )
    scanned = analyse(doc_from_plain([text], ocr=True))
    sources = scanned["sources"]
    # The O between letters and digits may be either: the code is to be checked.
    assert sources["imputation.centre_de_cout"]["confiance"] == 0.5
    # The délégant's representative is read again in the signature block, DINUM's is not.
    assert sources["delegant"]["confiance"] == 0.95
    assert sources["delegataire"]["confiance"] == 0.75
    assert sources["unite_operationnelle"]["confiance"] == 0.95
    # Fields without a code or a name to weigh are not flagged.
    assert sources["date_signature"]["confiance"] == 0.85


def test_ocr_misread_representative_name_is_read_as_written_elsewhere() -> None:
    from delegations.lecture.extraction.document import doc_from_plain
    from delegations.lecture.extraction.rules import analyse

    text = fictional(
        signature="Fait à Lyon, le 3 avril 2024\nPour le délégant\nJeanne Martin-Roux\n"
        "Signé par Jeanne Martin-Roux"
    ).replace("Représenté par Jeanne Martin-Roux", "Représenté par Jeanne Martln-Roux")
    scanned = analyse(doc_from_plain([text], ocr=True))
    assert scanned["delegant"]["representant"]["nom"] == "Jeanne Martin-Roux"
    typed = extract_text(text)
    assert typed["delegant"]["representant"]["nom"] == "Jeanne Martln-Roux"  # as typed
