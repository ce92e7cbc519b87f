"""Build the shipped Word models (convention.docx, avenant.docx) with their Jinja tags (docxtpl).

Run ``python -m delegations.redaction.modeles.fabriquer`` after changing the wording below; the
.docx files are committed. A finance officer edits a copy in Word and uploads it as a new
version from the models page: the tags between {{ }} and {%p %} must be kept.

The text is ours, in plain administrative French; it covers what article 2 of décret
n° 2004-1085 requires and the optional clauses the register knows.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

ICI = Path(__file__).resolve().parent


def _nouveau(titre: str) -> DocumentType:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(10.5)
    style.paragraph_format.space_after = Pt(6)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2)
    doc.core_properties.title = titre
    doc.core_properties.author = "Délégations (DINUM)"
    return doc


def _p(doc: DocumentType, texte: str, *, gras: bool = False, centre: bool = False) -> None:
    paragraphe = doc.add_paragraph()
    run = paragraphe.add_run(texte)
    run.bold = gras
    if centre:
        paragraphe.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _titre(doc: DocumentType, texte: str) -> None:
    paragraphe = doc.add_paragraph()
    paragraphe.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraphe.add_run(texte)
    run.bold = True
    run.font.size = Pt(15)


def _article(doc: DocumentType, texte: str) -> None:
    paragraphe = doc.add_paragraph()
    paragraphe.paragraph_format.space_before = Pt(12)
    paragraphe.paragraph_format.keep_with_next = True
    run = paragraphe.add_run(texte)
    run.bold = True
    run.font.size = Pt(11.5)


def _tag(doc: DocumentType, tag: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %}): removed at rendering."""
    doc.add_paragraph(tag)


def _tableau(doc: DocumentType, lignes: list[list[str]], largeurs: list[float]) -> None:
    table = doc.add_table(rows=len(lignes), cols=len(largeurs))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, ligne in enumerate(lignes):
        for j, texte in enumerate(ligne):
            cellule = table.cell(i, j)
            cellule.width = Cm(largeurs[j])
            paragraphe = cellule.paragraphs[0]
            run = paragraphe.add_run(texte)
            run.bold = i == 0 or texte == "Total"
            # Amounts stay left-aligned under their heading: a reader of the PDF places each
            # cell in the column whose heading starts nearest (a short right-aligned amount
            # would start nearer the next column).


def _echeancier(doc: DocumentType, *, total: bool) -> None:
    lignes = [
        ["Année", "Autorisations d'engagement (AE)", "Crédits de paiement (CP)"],
        ["{%tr for l in echeancier %}", "", ""],
        ["{{ l.annee }}", "{{ l.ae }}", "{{ l.cp }}"],
        ["{%tr endfor %}", "", ""],
    ]
    if total:
        lignes.append(["Total", "{{ total_ae }}", "{{ total_cp }}"])
    _tableau(doc, lignes, [3, 6.5, 6.5])


def _parties(doc: DocumentType) -> None:
    _p(doc, "Entre")
    _p(doc, "{{ delegant.paragraphe }}")
    _tag(doc, "{%p if delegant.adresse %}")
    _p(doc, "Adresse : {{ delegant.adresse }}")
    _tag(doc, "{%p endif %}")
    _p(doc, "d'une part,")
    _p(doc, "Et")
    _p(doc, "{{ delegataire.paragraphe }}")
    _tag(doc, "{%p if delegataire.adresse %}")
    _p(doc, "Adresse : {{ delegataire.adresse }}")
    _tag(doc, "{%p endif %}")
    _p(doc, "d'autre part,")


def _signatures(doc: DocumentType, exemplaires: str) -> None:
    _p(
        doc,
        "Fait à {{ lieu }}, le {% if date_signature %}{{ date_signature }}{% else %}"
        "……………………{% endif %}, en " + exemplaires + ".",
    )
    for cle, role in (("delegant", "délégant"), ("delegataire", "délégataire")):
        _p(doc, f"Pour le {role},", gras=True)
        _tag(doc, f"{{%p if {cle}.representant_nom %}}")
        _p(doc, f"{{{{ {cle}.representant_nom }}}}")
        _p(doc, f"{{{{ {cle}.representant_qualite }}}}")
        _tag(doc, "{%p endif %}")


def convention() -> DocumentType:
    doc = _nouveau("Convention de délégation de gestion")
    _titre(doc, "CONVENTION DE DÉLÉGATION DE GESTION")
    _tag(doc, "{%p if reference %}")
    _p(doc, "Référence : {{ reference }}", centre=True)
    _tag(doc, "{%p endif %}")
    _parties(doc)
    _p(
        doc,
        "Vu le décret n° 2004-1085 du 14 octobre 2004 relatif à la délégation de gestion "
        "dans les services de l'État ;",
    )
    _p(
        doc,
        "Vu le décret n° 2012-1246 du 7 novembre 2012 relatif à la gestion budgétaire et "
        "comptable publique ;",
    )
    _tag(doc, "{%p for precedent in precedents %}")
    _p(doc, "La présente convention fait suite à {{ precedent }}")
    _tag(doc, "{%p endfor %}")
    _p(doc, "Il est convenu ce qui suit :")

    _article(doc, "Article 1 – Objet de la délégation")
    _p(
        doc,
        "La présente convention a pour objet de confier au délégataire, au nom et pour le "
        "compte du délégant, la gestion de crédits destinés à l'action suivante : {{ objet }}",
    )
    _tag(doc, "{%p if services %}")
    _p(doc, "Les crédits délégués financent {{ services }}.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if phases %}")
    _p(doc, "Ils couvrent {{ phases }} de l'approche beta.gouv.fr.")
    _tag(doc, "{%p endif %}")
    _p(
        doc,
        "Le délégataire passe les commandes nécessaires sur ses propres marchés, dans la limite "
        "des crédits mis à sa disposition.",
    )

    _article(doc, "Article 2 – Exécution financière")
    _tag(doc, "{%p if unite_operationnelle %}")
    _p(
        doc,
        "Le délégant autorise le délégataire à engager, liquider et mandater, hors titre 2, les "
        "dépenses correspondantes sur les crédits de l'unité opérationnelle (UO) "
        "{{ unite_operationnelle }}{% if programme %} du programme {{ programme }}{% endif %}.",
    )
    _tag(doc, "{%p elif programme %}")
    _p(
        doc,
        "Le délégant autorise le délégataire à engager, liquider et mandater, hors titre 2, les "
        "dépenses correspondantes sur les crédits du programme {{ programme }}.",
    )
    _tag(doc, "{%p endif %}")
    _p(
        doc,
        "Le montant total des crédits délégués s'élève à {{ total_ae }} en autorisations "
        "d'engagement (AE) et à {{ total_cp }} en crédits de paiement (CP).",
    )
    _p(
        doc,
        "Le délégant met ces crédits à la disposition du délégataire, à sa demande, selon "
        "l'échéancier indicatif annuel suivant :",
    )
    _echeancier(doc, total=True)
    _tag(doc, "{%p if imputation %}")
    _p(doc, "Références d'imputation CHORUS du délégant :")
    _tableau(
        doc,
        [
            ["{%tr for ligne in imputation %}", ""],
            ["{{ ligne.libelle }}", "{{ ligne.code }}"],
            ["{%tr endfor %}", ""],
        ],
        [7, 7],
    )
    _tag(doc, "{%p endif %}")
    _p(
        doc,
        "Le délégataire n'engage aucune dépense au-delà des crédits mis à sa disposition. "
        "Lorsque ceux-ci deviennent insuffisants, il en informe sans délai le délégant et, à "
        "défaut d'ajustement, suspend l'exécution.",
    )

    _article(doc, "Article 3 – Obligations du délégant")
    _p(doc, "Le délégant s'engage à :")
    for ligne in (
        "– mettre les crédits à la disposition du délégataire dans des délais compatibles avec "
        "l'exécution des dépenses ;",
        "– désigner, pour chaque service, un intrapreneur qui le porte et un sponsor qui le "
        "soutient au sein de son administration ;",
        "– adhérer au manifeste de beta.gouv.fr et tenir à jour la fiche de chaque service sur "
        "ce site ;",
        "– fournir en temps utile les informations nécessaires à l'exécution de la délégation.",
    ):
        _p(doc, ligne)

    _article(doc, "Article 4 – Obligations du délégataire")
    _p(doc, "Le délégataire s'engage à :")
    for ligne in (
        "– exécuter les dépenses au nom et pour le compte du délégant, dans le respect des "
        "règles de la commande publique ;",
        "– publier sous licence libre le code source des services développés ;",
        "– conduire des ateliers d'analyse de risques selon la méthode de l'ANSSI et intégrer "
        "FranceConnect lorsque les usagers doivent s'authentifier ;",
        "– ajouter le bouton « Je donne mon avis » aux démarches en ligne et publier une page "
        "de statistiques publiques pour chaque service ;",
        "– signaler au délégant, avant la mi-novembre, les crédits de l'année qui ne pourront "
        "pas être engagés.",
    ):
        _p(doc, ligne)

    _article(doc, "Article 5 – Compte rendu d'exécution")
    _tag(doc, "{%p if compte_rendu_mensuel %}")
    _p(
        doc,
        "Le délégataire rend compte chaque mois au délégant de l'exécution des crédits : "
        "commandes passées, services faits et paiements.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if compte_rendu_terme %}")
    _p(
        doc,
        "Au terme de la convention, le délégataire adresse au délégant un compte rendu final "
        "retraçant les dépenses réalisées, l'avancement des travaux et les crédits non "
        "consommés.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if not compte_rendu_mensuel and not compte_rendu_terme %}")
    _p(doc, "Le délégataire rend compte de l'exécution des crédits à la demande du délégant.")
    _tag(doc, "{%p endif %}")
    _p(doc, "Il communique ses prévisions de commandes et de consommation des crédits.")

    _article(doc, "Article 6 – Gouvernance et comités d'investissement")
    _tag(doc, "{%p if comites_produits %}")
    _p(
        doc,
        "Chaque service financé est présenté tous les six mois à un comité d'investissement, "
        "qui examine les résultats obtenus au regard des indicateurs retenus et décide de la "
        "suite : poursuite, financement provisoire ou arrêt.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if comite_mission %}")
    _p(
        doc,
        "Le montant délégué chaque année est arrêté par un comité d'investissement "
        "interministériel réuni entre 45 et 30 jours avant l'épuisement de l'enveloppe en "
        "cours. Son relevé de décision indique au moins la date et le lieu de la réunion, les "
        "participants, le montant décidé pour l'année et les objectifs sous forme "
        "d'indicateurs numérotés.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if not comites_produits and not comite_mission %}")
    _p(
        doc,
        "Les parties se réunissent en tant que de besoin pour suivre l'exécution de la "
        "présente convention.",
    )
    _tag(doc, "{%p endif %}")

    _article(doc, "Article 7 – Durée et prise d'effet")
    _tag(doc, '{%p if prise_effet == "publication" %}')
    _p(doc, "La présente convention prend effet à compter de sa publication.")
    _tag(doc, '{%p elif prise_effet == "date" %}')
    _p(doc, "La présente convention prend effet le {{ prise_effet_date }}.")
    _tag(doc, "{%p else %}")
    _p(
        doc,
        "La présente convention prend effet à la date de sa signature par la dernière des parties.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if duree_mois %}")
    _p(doc, "Elle est conclue pour une durée de {{ duree_mois }} mois.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if date_fin %}")
    _p(doc, "Elle s'applique jusqu'au {{ date_fin }}.")
    _tag(doc, "{%p endif %}")
    _p(
        doc,
        "La période ainsi définie couvre l'engagement des dépenses, la certification du service "
        "fait et le paiement.",
    )

    _article(doc, "Article 8 – Résiliation")
    _p(
        doc,
        "Chacune des parties peut mettre fin à la présente convention à tout moment, par écrit, "
        "moyennant un préavis de {{ preavis_mois }} mois.",
    )
    _p(
        doc,
        "La fin de la convention met fin aux prestations qui lui sont associées. Les crédits "
        "non consommés sont signalés au délégant, qui décide de leur emploi.",
    )

    _article(doc, "Article 9 – Modification")
    _p(
        doc,
        "Toute modification de la présente convention fait l'objet d'un avenant signé par les "
        "parties. Une copie de la convention signée et de chacun de ses avenants est transmise "
        "au contrôleur budgétaire et comptable ministériel (CBCM).",
    )

    _article(doc, "Article 10 – Publication")
    _p(
        doc,
        "La présente convention est publiée sur les sites d'information de l'État ; ses données "
        "sont ouvertes sur data.gouv.fr.",
    )

    _article(doc, "Article 11 – Protection des données personnelles")
    _tag(doc, "{%p if annexe_rgpd %}")
    _p(
        doc,
        "La répartition des responsabilités entre les parties au titre du règlement général sur "
        "la protection des données (RGPD) figure en annexe : le délégant est responsable des "
        "traitements et le délégataire agit en qualité de sous-traitant.",
    )
    _tag(doc, "{%p else %}")
    _p(
        doc,
        "Les parties respectent le règlement général sur la protection des données (RGPD) pour "
        "les traitements mis en œuvre dans le cadre de la présente convention.",
    )
    _tag(doc, "{%p endif %}")

    _signatures(doc, "deux exemplaires originaux")

    _tag(doc, "{%p if annexe_rgpd %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _article(doc, "Annexe – Répartition des responsabilités en matière de protection des données")
    for ligne in (
        "Responsable de traitement : le délégant, qui détermine les finalités et les moyens "
        "des traitements.",
        "Sous-traitant : le délégataire, qui traite les données pour le compte du délégant et "
        "sur ses instructions documentées.",
        "Les parties précisent ensemble, pour chaque service, les catégories de données et de "
        "personnes concernées, la durée de conservation et les mesures de sécurité.",
    ):
        _p(doc, ligne)
    _tag(doc, "{%p endif %}")
    return doc


def avenant() -> DocumentType:
    doc = _nouveau("Avenant à une convention de délégation de gestion")
    _titre(doc, "AVENANT N° {{ numero }}")
    _p(doc, "à {{ citation_convention }}", centre=True)
    _parties(doc)
    _p(doc, "Vu {{ citation_convention }} ;")
    _tag(doc, "{%p for citation in citations_avenants %}")
    _p(doc, "Vu {{ citation }} ;")
    _tag(doc, "{%p endfor %}")
    _p(doc, "Il est convenu ce qui suit :")

    _article(doc, "Article 1 – Objet de l'avenant")
    _p(doc, "Le présent avenant a pour objet : {{ objet }}")
    _p(
        doc,
        "Il ne modifie la convention que sur les points énoncés ci-après.",
    )

    _tag(doc, "{%p if changements %}")
    _article(doc, "Article {{ article.montants }} – Échéancier des crédits")
    _tag(doc, "{%p for c in changements %}")
    _tag(doc, "{%p if c.ae_avant %}")
    _p(
        doc,
        "Pour l'année {{ c.annee }}, le montant des autorisations d'engagement est porté de "
        "{{ c.ae_avant }} à {{ c.ae_apres }} et le montant des crédits de paiement est porté "
        "de {{ c.cp_avant }} à {{ c.cp_apres }}.",
    )
    _tag(doc, "{%p else %}")
    _p(
        doc,
        "Pour l'année {{ c.annee }}, qui ne figurait pas à l'échéancier, le montant des "
        "autorisations d'engagement est fixé à {{ c.ae_apres }} et le montant des crédits de "
        "paiement à {{ c.cp_apres }}.",
    )
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")
    _p(doc, "L'échéancier des années modifiées s'établit ainsi :")
    _echeancier(doc, total=False)
    _tag(doc, "{%p endif %}")

    _tag(doc, "{%p if date_fin %}")
    _article(doc, "Article {{ article.duree }} – Durée de la convention")
    _tag(doc, "{%p if ancienne_fin %}")
    _p(
        doc,
        "La date de fin de la convention, {% if ancienne_fin_par %}précédemment fixée au "
        "{{ ancienne_fin }} par {{ ancienne_fin_par }}{% else %}initialement fixée au "
        "{{ ancienne_fin }}{% endif %}, est portée au {{ date_fin }}.",
    )
    _tag(doc, "{%p else %}")
    _p(doc, "La date de fin de la convention est fixée au {{ date_fin }}.")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endif %}")

    _article(doc, "Article {{ article.effet }} – Prise d'effet")
    _p(
        doc,
        "Le présent avenant prend effet à la date de sa signature par la dernière des parties. "
        "Les autres stipulations de la convention demeurent inchangées.",
    )
    _p(
        doc,
        "Une copie du présent avenant signé est transmise au contrôleur budgétaire et comptable "
        "ministériel (CBCM).",
    )
    _signatures(doc, "deux exemplaires originaux")
    return doc


def main() -> None:
    for nom, fabrique in (("convention", convention), ("avenant", avenant)):
        chemin = ICI / f"{nom}.docx"
        fabrique().save(str(chemin))
        print(f"{chemin} écrit.")


if __name__ == "__main__":
    main()
