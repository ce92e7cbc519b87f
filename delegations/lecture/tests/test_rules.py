"""One test per extraction rule, on small fictional snippets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from delegations.lecture.extraction import extract_text
from delegations.lecture.extraction.textutil import (
    find_dates,
    parse_amount,
    parse_date,
    small_number,
    words_to_int,
)

from .helpers import fictional

TWO_YEARS = "Année\tAE\tCP\n2024\t90 000 €\t60 000 €\n2025\t10 000 €\t40 000 €"


def codes(result: dict) -> set[str]:
    return {a["code"] for a in result["alertes"]}


def test_parties_are_split_into_delegant_and_delegataire_with_sigle_and_representative() -> None:
    r = extract_text(fictional())
    assert r["delegant"] == {
        "nom": "Ministère des Phares et Balises",
        "sigle": "MPB",
        "representant": {"nom": "Jeanne Martin-Roux", "qualite": "directrice des balises côtières"},
    }
    assert r["delegataire"]["sigle"] == "DINUM"
    assert r["delegataire"]["representant"]["nom"] == "Paul Durand"


def test_article_1er_template_with_single_amount_gives_totals_without_schedule() -> None:
    r = extract_text(fictional())
    assert r["echeancier"] == []
    assert r["montant_total_ae"] == "120000.00"
    assert r["montant_total_cp"] == "120000.00"
    assert r["alertes"] == []
    assert r["services"] == ["Phare Connect"]
    assert r["phases"] == ["construction"]
    assert r["unite_operationnelle"] == "0999-PHAR-BAL1"
    assert r["programme"] == "999"


def test_amount_in_words_disagreeing_with_digits_raises_montant_incoherent() -> None:
    r = extract_text(fictional(amount_clause="Le montant est fixé à 120 000 € (cent mille euros)."))
    assert "montant_incoherent" in codes(r)
    msg = next(a["message"] for a in r["alertes"] if a["code"] == "montant_incoherent")
    assert "120 000" in msg and "cent mille" in msg


def test_duration_of_one_year_from_publication() -> None:
    r = extract_text(
        fictional(duration="Elle est conclue pour une durée d'un an à compter de sa publication.")
    )
    assert r["prise_effet"] == "publication"
    assert r["duree_mois"] == 12
    assert r["date_fin"] is None


def test_start_on_a_given_date_gives_prise_effet_date() -> None:
    r = extract_text(
        fictional(duration="Elle prend effet à compter du 1er janvier 2024 jusqu'au 31/8/2024.")
    )
    assert r["prise_effet"] == "date"
    assert r["date_fin"] == "2024-08-31"


def test_monthly_reporting_gives_compte_rendu_mensuel() -> None:
    r = extract_text(
        fictional(
            reporting="Le délégataire rend compte chaque mois au délégant des dépenses engagées."
        )
    )
    assert r["compte_rendu"] == ["mensuel"]


def test_two_year_schedule_keeps_different_ae_and_cp_per_year() -> None:
    r = extract_text(
        fictional(
            amount_clause="Les crédits suivent l'échéancier ci-dessous.",
            schedule=TWO_YEARS,
            duration="Elle prend effet à sa signature et s'achève le 31 décembre 2025.",
        )
    )
    assert r["echeancier"] == [
        {"annee": 2024, "ae": "90000.00", "cp": "60000.00"},
        {"annee": 2025, "ae": "10000.00", "cp": "40000.00"},
    ]
    assert r["montant_total_ae"] == r["montant_total_cp"] == "100000.00"
    assert "echeancier_hors_periode" not in codes(r)


def test_empty_ae_cell_reads_as_zero() -> None:
    schedule = "Année\tAE\tCP\n2024\t50 000 €\t30 000 €\n2025\t\t20 000 €"
    r = extract_text(
        fictional(amount_clause="", schedule=schedule, duration="Jusqu'au 31/12/2025.")
    )
    assert r["echeancier"][1] == {"annee": 2025, "ae": "0.00", "cp": "20000.00"}


def test_lone_amount_in_flowed_schedule_row_is_payment_catching_up() -> None:
    schedule = "AE CP\n2024 50 000 € 30 000 €\n2025 20 000 €"
    r = extract_text(
        fictional(amount_clause="", schedule=schedule, duration="Jusqu'au 31/12/2025.")
    )
    assert r["echeancier"][1] == {"annee": 2025, "ae": "0.00", "cp": "20000.00"}


def test_schedule_year_after_end_raises_echeancier_hors_periode() -> None:
    schedule = "Année\tAE\tCP\n2024\t60 000 €\t60 000 €\n2027\t60 000 €\t60 000 €"
    r = extract_text(fictional(amount_clause="", schedule=schedule))
    assert "echeancier_hors_periode" in codes(r)


def test_preamble_amount_disagreeing_with_schedule_raises_montant_incoherent() -> None:
    r = extract_text(
        fictional(
            extra="Le ministère finance ce projet à hauteur de 80 000 € pour l'année.",
            amount_clause="",
            schedule="Année\tAE\tCP\n2024\t95 000 €\t95 000 €",
        )
    )
    assert "montant_incoherent" in codes(r)
    msg = next(a["message"] for a in r["alertes"] if a["code"] == "montant_incoherent")
    assert "80 000" in msg and "95 000" in msg


def test_delegataire_cofunding_is_not_compared_with_delegant_schedule() -> None:
    r = extract_text(
        fictional(
            extra="Le délégataire co-finance le projet à hauteur de 10 000 euros.",
            amount_clause="",
            schedule="Année\tAE\tCP\n2024\t95 000 €\t95 000 €",
        )
    )
    assert "montant_incoherent" not in codes(r)


def test_bop_not_matching_uo_raises_imputation_incoherente() -> None:
    r = extract_text(fictional(extra="Les crédits sont portés par le BOP 099-PHAR."))
    assert "imputation_incoherente" in codes(r)
    msg = next(a["message"] for a in r["alertes"] if a["code"] == "imputation_incoherente")
    assert "0999-PHAR-BAL1" in msg and "099-PHAR" in msg


def test_chorus_codes_are_read_without_labels_or_spaces() -> None:
    chorus = (
        "Références Chorus :\n"
        "Axe ministériel 1\t12\n"
        "Domaine fonctionnel :\t0999-02-01\n"
        "Centre financier :\t0999-PHAR-BAL1\n"
        "Activité :\t099901020304 Balisage\n"
        "Centre de coûts :\tPHARE 0042"
    )
    r = extract_text(fictional(chorus=chorus))
    assert r["imputation"] == {
        "axe_ministeriel_1": "12",
        "axe_ministeriel_2": None,
        "domaine_fonctionnel": "0999-02-01",
        "centre_financier": "0999-PHAR-BAL1",
        "activite": "099901020304",
        "centre_de_cout": "PHARE0042",
    }
    assert "imputation_incoherente" not in codes(r)


def test_activity_of_another_programme_raises_imputation_incoherente() -> None:
    chorus = "Références Chorus :\nCentre financier :\t0999-PHAR-BAL1\nActivité :\t088801020304"
    r = extract_text(fictional(chorus=chorus))
    assert "imputation_incoherente" in codes(r)


def test_delegataire_own_chorus_table_is_not_read_as_delegant_imputation() -> None:
    chorus = (
        "Paramétrage de l'adhérence\nService prescripteur\tServices centraux\n"
        "Centre de coûts\tNUMXYZ01\n\n"
        "Référence Chorus\nCentre financier\t0999-PHAR-BAL1\nCentre de coûts\tPHARE0042"
    )
    r = extract_text(fictional(chorus=chorus))
    assert r["imputation"]["centre_de_cout"] == "PHARE0042"


def test_decree_cited_with_wrong_date_raises_reference_juridique_douteuse() -> None:
    r = extract_text(fictional(extra="Vu le décret n° 2012-1246 du 7 novembre 2013 (GBCP) ;"))
    assert "reference_juridique_douteuse" in codes(r)


def test_decree_cited_with_wrong_number_raises_reference_juridique_douteuse() -> None:
    r = extract_text(
        fictional(
            extra="Vu le décret n° 2004-1058 du 14 octobre 2004 relatif à la délégation de gestion ;"
        )
    )
    assert "reference_juridique_douteuse" in codes(r)


def test_correct_legal_references_raise_nothing() -> None:
    r = extract_text(
        fictional(
            extra="Vu la loi organique n° 2001-692 du 1er août 2001 ; vu le règlement (UE) 2016/679 du 27 avril 2016 ;"
        )
    )
    assert "reference_juridique_douteuse" not in codes(r)


def test_missing_reporting_clause_raises_clause_manquante() -> None:
    r = extract_text(fictional(reporting=""))
    assert codes(r) == {"clause_manquante"}
    assert "compte rendu" in r["alertes"][0]["message"]


def test_signature_date_is_the_last_signature_including_digital_stamps() -> None:
    r = extract_text(
        fictional(
            signature="Fait à Lyon, le 3 avril 2024\n\nSigné par P. Durand\n2024.04.09 10:12:55 +02'00'"
        )
    )
    assert r["date_signature"] == "2024-04-09"


def test_avenant_title_gives_type_avenant() -> None:
    r = extract_text(fictional(title="Avenant n° 2 à la convention de délégation de gestion"))
    assert r["type"] == "avenant"


def test_gdpr_annex_heading_sets_annexe_rgpd() -> None:
    assert extract_text(fictional())["annexe_rgpd"] is False
    annex = "\nAnnexe 2 : répartition des responsabilités RGPD\nRôle\tDINUM\tMinistère"
    assert extract_text(fictional(annex=annex))["annexe_rgpd"] is True


def test_notice_period_in_words_gives_preavis_mois() -> None:
    assert extract_text(fictional())["preavis_mois"] == 2


def test_every_extracted_field_has_a_source() -> None:
    r = extract_text(fictional())
    for field in ("delegant", "objet", "montant_total_ae", "date_signature", "date_fin"):
        assert r["sources"][field]["page"] == 1
        assert r["sources"][field]["ligne"] >= 1


def test_french_date_forms() -> None:
    assert parse_date("le 31/8/2023") == date(2023, 8, 31)
    assert parse_date("le 25/03/2020") == date(2020, 3, 25)
    assert parse_date("Fait le 28 MARS 2024") == date(2024, 3, 28)
    assert parse_date("26 JAN. 2021") == date(2021, 1, 26)
    assert parse_date("au 1er janvier 2024") == date(2024, 1, 1)
    assert parse_date("14 octobre 2004") == date(2004, 10, 14)
    assert parse_date("2022.12.19 23:45:15 +01'00'") == date(2022, 12, 19)
    assert parse_date("le 3 fevrier 2022") == date(2022, 2, 3)
    assert [d.value.year for d in find_dates("du 2 mai 2021 au 30/06/2022")] == [2021, 2022]


def test_amount_forms() -> None:
    assert parse_amount("1 900 000 €") == Decimal("1900000")
    assert parse_amount("1\u00a0900\u00a0000\u00a0€") == Decimal("1900000")
    assert parse_amount("1\u202f900\u202f000 €") == Decimal("1900000")
    assert parse_amount("1.900.000,00 euros") == Decimal("1900000.00")
    assert parse_amount("150 000") == Decimal("150000")
    assert parse_amount("2,5 M€") == Decimal("2500000")
    assert parse_amount("12 345,67 €") == Decimal("12345.67")


def test_amounts_in_words() -> None:
    assert words_to_int("deux millions cinq cent mille") == 2_500_000
    assert words_to_int("un million neuf cent mille euros") == 1_900_000
    assert words_to_int("quatre-vingt-dix-sept mille") == 97_000
    assert words_to_int("soixante et onze") == 71
    assert words_to_int("cinq pommes") is None


def test_durations_and_notice_periods_in_words_are_read_by_the_one_number_table() -> None:
    counts = {"un": 1, "une": 1, "six": 6, "douze": 12, "seize": 16, "dix-huit": 18}
    counts |= {"vingt": 20, "vingt-quatre": 24, "trente-six": 36, "Quarante-Huit": 48, "36": 36}
    assert {word: small_number(word) for word in counts} == counts
    assert small_number("quelques") is None


def test_ocr_letter_o_touching_digits_in_chorus_codes_is_read_as_zero() -> None:
    from delegations.lecture.extraction.rules.chorus import fix_ocr_code

    assert fix_ocr_code("0103-CEFP-CO04", ocr=True) == "0103-CEFP-C004"
    assert fix_ocr_code("0103-CEFP-CO04", ocr=False) == "0103-CEFP-CO04"
    assert fix_ocr_code("0214-CEN2-LGAC", ocr=True) == "0214-CEN2-LGAC"


# --- other templates: rules added for conventions that differ from the corpus ---------------

TWO_YEARS_END = "Elle prend effet à sa signature et s'achève le 31 décembre 2025."


def test_chorus_codes_with_spaced_or_dashed_separators_are_compacted() -> None:
    chorus = (
        "Références Chorus :\n"
        "Domaine fonctionnel :\t0999 - 02 - 01\n"
        "Centre financier :\t0999 – PHAR – BAL1\n"
        "Activité :\t0999 0102 0304\n"
        "Centre de coûts :\tPHARE 00 42"
    )
    imp = extract_text(fictional(chorus=chorus))["imputation"]
    assert imp["domaine_fonctionnel"] == "0999-02-01"
    assert imp["centre_financier"] == "0999-PHAR-BAL1"
    assert imp["activite"] == "099901020304"
    assert imp["centre_de_cout"] == "PHARE0042"


def test_activity_followed_by_a_label_keeps_only_the_code() -> None:
    chorus = "Références Chorus :\nActivité :\t099901020304 - DSI"
    assert extract_text(fictional(chorus=chorus))["imputation"]["activite"] == "099901020304"


def test_chorus_labels_as_column_headers_with_codes_below() -> None:
    tab = (
        "Références Chorus :\nCentre financier\tDomaine fonctionnel\tActivité\tCentre de coûts\n"
        "0999-PHAR-BAL1\t0999-02-01\t099901020304\tPHARE0042"
    )
    flowed = (
        "Références Chorus :\nCentre financier Domaine fonctionnel Activité Centre de coûts\n"
        "0999 - PHAR - BAL1 0999-02-01 0999 0102 0304 PHARE 0042"
    )
    for chorus in (tab, flowed):
        imp = extract_text(fictional(chorus=chorus))["imputation"]
        assert imp["centre_financier"] == "0999-PHAR-BAL1"
        assert imp["domaine_fonctionnel"] == "0999-02-01"
        assert imp["activite"] == "099901020304"
        assert imp["centre_de_cout"] == "PHARE0042"


def test_schedule_with_years_as_columns_flowed_into_text_lines() -> None:
    schedule = (
        "Nature des crédits 2024 2025 Total\n"
        "Autorisations d'engagement (AE) 90 000 € 10 000 € 100 000 €\n"
        "Crédits de paiement (CP) 60 000 € 40 000 € 100 000 €"
    )
    r = extract_text(fictional(amount_clause="", schedule=schedule, duration=TWO_YEARS_END))
    assert r["echeancier"] == [
        {"annee": 2024, "ae": "90000.00", "cp": "60000.00"},
        {"annee": 2025, "ae": "10000.00", "cp": "40000.00"},
    ]
    assert r["alertes"] == []


def test_schedule_with_one_row_per_year_and_kind_of_credit() -> None:
    schedule = (
        "Exercice\tCrédits\tMontant\n2024\tAE\t90 000 €\n2024\tCP\t60 000 €\n"
        "2025\tAE\t10 000 €\n2025\tCP\t40 000 €"
    )
    r = extract_text(fictional(amount_clause="", schedule=schedule, duration=TWO_YEARS_END))
    assert r["echeancier"][1] == {"annee": 2025, "ae": "10000.00", "cp": "40000.00"}


def test_schedule_written_in_prose_over_two_years() -> None:
    clause = (
        "Au titre de l'exercice 2024, le délégant met à disposition 90 000 € d'autorisations "
        "d'engagement et 60 000 € de crédits de paiement. Pour 2025, 10 000 € en AE et "
        "40 000 € en CP."
    )
    r = extract_text(fictional(amount_clause=clause, duration=TWO_YEARS_END))
    assert [e["annee"] for e in r["echeancier"]] == [2024, 2025]
    assert r["montant_total_ae"] == r["montant_total_cp"] == "100000.00"
    single = extract_text(fictional(amount_clause="Pour 2024, le montant est fixé à 50 000 €."))
    assert single["echeancier"] == [] and single["montant_total_ae"] == "50000.00"


def test_parties_introduced_inline_with_d_une_part_and_d_autre_part() -> None:
    text = fictional().replace(
        "Entre\n\nLe ministère des Phares et Balises (MPB),\n"
        "Représenté par Jeanne Martin-Roux, directrice des balises côtières,\n"
        "Ci-après dénommé « le délégant »\n\nEt\n\nLa Direction",
        "La présente convention est conclue entre :\n\nLe ministère des Phares et Balises (MPB), "
        "représenté par Jeanne Martin-Roux, directrice des balises côtières, désigné ci-après "
        "« le délégant », d'une part,\n\net la Direction",
    )
    r = extract_text(text)
    assert r["delegant"]["nom"] == "Ministère des Phares et Balises"
    assert r["delegant"]["representant"]["qualite"] == "directrice des balises côtières"
    assert r["delegataire"]["sigle"] == "DINUM"


def test_amendment_reads_the_new_values_not_the_replaced_ones() -> None:
    r = extract_text(
        fictional(
            title="Avenant n° 1 à la convention de délégation de gestion du 3 avril 2023",
            amount_clause=(
                "Le montant de la délégation, initialement fixé à 120 000 €, est porté à "
                "150 000 € (cent cinquante mille euros)."
            ),
            duration=(
                "Les mots « jusqu'au 31/12/2024 » sont remplacés par les mots "
                "« jusqu'au 30/06/2025 ». Le présent avenant prend effet à sa signature."
            ),
            reporting="",
        )
    )
    assert r["type"] == "avenant"
    assert r["montant_total_ae"] == "150000.00"
    assert r["date_fin"] == "2025-06-30"
    assert r["prise_effet"] == "signature"
    # An amendment carries only its changes: no missing-clause alert for it.
    assert r["alertes"] == []


def test_ocr_article_ler_is_the_first_article() -> None:
    text = fictional().replace("Article 1er – Objet", "Article ler - Objet")
    assert extract_text(text)["services"] == ["Phare Connect"]
    assert parse_date("à compter du ler janvier 2024") == date(2024, 1, 1)


def test_a_small_amount_with_cents_is_kept_when_its_euro_sign_is_in_the_next_cell():
    from delegations.lecture.extraction.rules.schedule import segment_amounts

    assert segment_amounts("1 674,26 1,17") == [Decimal("1674.26"), Decimal("1.17")]
    assert segment_amounts("Article 2 alinéa 3") == []
