"""Letters to the délégant: sent over a real SMTP server (aiosmtpd), kept with what was sent."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from delegations.comites.models import Obligation, StatutObligation
from delegations.conventions.ecriture import appliquer_transition
from delegations.core.errors import RegleMetierError
from delegations.core.models import historique
from delegations.core.tests.factories import UserFactory
from delegations.execution.models import InformationDelegant
from delegations.rapports.models import Transmission
from delegations.redaction.copies import deposer_copie
from delegations.redaction.courriers import envoyer_courrier, preparer_courrier
from delegations.redaction.documents import produire
from delegations.redaction.models import Courrier, NatureCourrier, StatutCourrier
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Statut, Tache

pytestmark = pytest.mark.django_db


def _pieces(message: Any) -> list[tuple[str, str, bytes]]:
    return [
        (p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
        for p in message.walk()
        if p.get_filename()
    ]


def test_the_periodic_report_leaves_with_its_pdf_and_is_recorded(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    courrier = preparer_courrier(
        convention_complete,
        NatureCourrier.RAPPORT_PERIODIQUE,
        finance,
        parametres={"periode": "2025-06-01"},
    )
    courrier = envoyer_courrier(courrier.pk)
    assert courrier.statut == StatutCourrier.ENVOYE
    [enveloppe] = smtp.enveloppes
    assert enveloppe.rcpt_tos == ["budget@delegant.example.gouv.fr"]  # not the CBCM
    [message] = smtp.messages
    assert str(message["Subject"]).strip().startswith("Compte rendu d'exécution de juin 2025")
    corps = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "pour le mois de juin 2025" in corps
    [(nom, type_mime, contenu)] = _pieces(message)
    assert nom.startswith("rapport-TEST-") and nom.endswith("-2025-06.pdf")
    assert type_mime == "application/pdf"
    assert contenu.startswith(b"%PDF-")
    [piece] = courrier.pieces.all()
    assert piece.taille == len(contenu)
    transmission = Transmission.objects.get(convention=convention_complete)
    assert (transmission.nature, transmission.periode) == ("mensuel", dt.date(2025, 6, 1))
    entree = historique(convention_complete).get(action="courrier")
    assert entree.changes["destinataires"] == ["budget@delegant.example.gouv.fr"]
    assert entree.changes["pieces"][0]["sha256"] == piece.sha256


def test_the_signed_copy_goes_to_the_cbcm_and_closes_the_obligation(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    avenant = convention_complete.avenants_ordonnes()[0]
    pdf = produire(convention_complete, avenant, "pdf").contenu
    deposer_copie(convention_complete, avenant, pdf, finance)
    obligation = Obligation.objects.get(convention=convention_complete, code="copie_cbcm_avenant_1")
    assert obligation.statut == StatutObligation.A_FAIRE
    courrier = preparer_courrier(
        convention_complete, NatureCourrier.COPIE_CBCM, finance, avenant=avenant
    )
    envoyer_courrier(courrier.pk)
    [enveloppe] = smtp.enveloppes
    assert enveloppe.rcpt_tos == ["cbcm@delegant.example.gouv.fr"]
    [(nom, _, contenu)] = _pieces(smtp.messages[0])
    assert nom.endswith("-avenant-1.pdf")
    assert contenu == pdf
    obligation.refresh_from_db()
    assert obligation.statut == StatutObligation.FAITE
    convention_obligation = Obligation.objects.get(
        convention=convention_complete, code="copie_cbcm"
    )
    assert convention_obligation.statut == StatutObligation.A_FAIRE


def test_the_cbcm_copy_needs_the_signed_copy_first(
    finance: Any, convention_complete: Any, contacts: Any
) -> None:
    with pytest.raises(RegleMetierError, match="Déposez d'abord la copie signée de la convention"):
        preparer_courrier(convention_complete, NatureCourrier.COPIE_CBCM, finance)


def test_insufficient_credits_letter_records_that_the_delegant_was_informed(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    courrier = preparer_courrier(
        convention_complete,
        NatureCourrier.CREDITS_INSUFFISANTS,
        finance,
        parametres={"annee": 2025, "montant_demande": "40000"},
    )
    envoyer_courrier(courrier.pk)
    corps = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Le besoin complémentaire est estimé à 40\u202f000,00\u00a0€." in corps
    info = InformationDelegant.objects.get(convention=convention_complete)
    assert (info.annee, info.date, info.suspension) == (2025, timezone.localdate(), False)


def test_notice_letter_needs_the_termination_recorded_then_gives_the_effective_end(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    with pytest.raises(RegleMetierError, match="Enregistrez d'abord la résiliation"):
        preparer_courrier(convention_complete, NatureCourrier.PREAVIS, finance)
    resiliee = appliquer_transition(
        convention_complete,
        "resilier",
        finance,
        date_preavis=dt.date(2026, 3, 2),
        partie="delegant",
    )
    courrier = preparer_courrier(resiliee, NatureCourrier.PREAVIS, finance)
    envoyer_courrier(courrier.pk)
    corps = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "à compter du 2 mars 2026" in corps
    assert "prendra fin le 2 juin 2026" in corps
    [(nom, _, contenu)] = _pieces(smtp.messages[0])
    assert nom.endswith(".pdf") and contenu.startswith(b"%PDF-")


def test_unused_credits_and_final_report_letters_attach_the_final_report(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    for nature in (NatureCourrier.CREDITS_NON_CONSOMMES, NatureCourrier.RAPPORT_FINAL):
        envoyer_courrier(preparer_courrier(convention_complete, nature, finance).pk)
    non_consommes, final = smtp.messages
    assert "- 2025 : AE prévues" in non_consommes.get_body(preferencelist=("plain",)).get_content()
    for message in (non_consommes, final):
        [(nom, _, _)] = _pieces(message)
        assert nom.endswith("-terme.pdf")
    assert Transmission.objects.get(convention=convention_complete).nature == "terme"


def test_a_letter_without_recipient_is_refused(finance: Any, convention_complete: Any) -> None:
    with pytest.raises(RegleMetierError, match="n'a pas de contact"):
        preparer_courrier(convention_complete, NatureCourrier.RAPPORT_FINAL, finance)


def test_a_failed_sending_is_kept_and_can_be_sent_again_once_only(
    smtp: Any, settings: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # nothing listens there
    courrier = envoyer_courrier(
        preparer_courrier(convention_complete, NatureCourrier.RAPPORT_FINAL, finance).pk
    )
    assert courrier.statut == StatutCourrier.ECHEC
    assert courrier.erreur
    assert historique(convention_complete).filter(action="courrier_echec").exists()
    settings.EMAIL_PORT = port
    assert envoyer_courrier(courrier.pk).statut == StatutCourrier.ENVOYE
    assert envoyer_courrier(courrier.pk).statut == StatutCourrier.ENVOYE
    assert len(smtp.enveloppes) == 1


def test_the_page_previews_then_sends_the_letter(
    smtp: Any, client: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    client.force_login(finance)
    url = reverse("redaction:courrier_nouveau", args=[convention_complete.pk, "rapport_periodique"])
    apercu = client.post(url, {"action": "apercu", "periode": "2025-05"})
    texte = html.unescape(apercu.content.decode())
    assert "Compte rendu d'exécution de mai 2025" in texte
    assert "Envoyer le courrier" in texte
    assert smtp.enveloppes == []
    reponse = client.post(url, {"action": "envoyer", "periode": "2025-05"})
    courrier = Courrier.objects.get()
    assert reponse.url == reverse("redaction:courrier", args=[courrier.pk])
    # The request only queues the letter: nothing leaves before a worker runs the task.
    assert smtp.enveloppes == []
    en_file = html.unescape(client.get(reponse.url).content.decode())
    assert "en file d'envoi" in en_file
    assert 'hx-trigger="every 2s"' in en_file
    assert executer_taches_en_attente() == 1
    assert len(smtp.enveloppes) == 1
    page = html.unescape(client.get(reponse.url).content.decode())
    assert "Envoyé le" in page
    assert "budget@delegant.example.gouv.fr" in page
    tache = Tache.objects.get()
    assert tache.statut == Statut.TERMINEE
    assert client.get(reverse("redaction:courrier_tache", args=[tache.pk])).url == reponse.url


def test_a_letter_is_queued_once_and_never_sent_twice(
    smtp: Any, client: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    client.force_login(finance)
    courrier = preparer_courrier(convention_complete, NatureCourrier.RAPPORT_FINAL, finance)
    url = reverse("redaction:courrier_renvoyer", args=[courrier.pk])
    client.post(url)
    client.post(url)
    assert Tache.objects.count() == 1
    assert executer_taches_en_attente() == 1
    client.post(url)
    assert Tache.objects.count() == 1  # already sent: nothing queued
    assert len(smtp.enveloppes) == 1


def test_a_failed_sending_is_a_failed_task_with_the_french_reason(
    client: Any, finance: Any, convention_complete: Any, contacts: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nobody listens there
    client.force_login(finance)
    courrier = preparer_courrier(convention_complete, NatureCourrier.RAPPORT_FINAL, finance)
    client.post(reverse("redaction:courrier_renvoyer", args=[courrier.pk]))
    executer_taches_en_attente()
    tache = Tache.objects.get()
    assert tache.statut == Statut.ECHEC
    assert tache.erreur.startswith("Le courrier n'est pas parti : ")
    courrier.refresh_from_db()
    assert courrier.statut == StatutCourrier.ECHEC
    # Sent again: back to « à envoyer » while it waits in the queue.
    client.post(reverse("redaction:courrier_renvoyer", args=[courrier.pk]))
    courrier.refresh_from_db()
    assert courrier.statut == StatutCourrier.A_ENVOYER
    assert Tache.objects.count() == 2


def test_letters_follow_the_perimeter(
    smtp: Any, client: Any, finance: Any, agent: Any, collegue: Any,
    convention_complete: Any, contacts: Any,
) -> None:  # fmt: skip
    courrier = envoyer_courrier(
        preparer_courrier(convention_complete, NatureCourrier.RAPPORT_FINAL, finance).pk
    )
    piece = courrier.pieces.get()
    nouveau = reverse("redaction:courrier_nouveau", args=[convention_complete.pk, "rapport_final"])
    for url in (
        reverse("redaction:courrier", args=[courrier.pk]),
        reverse("redaction:courrier_etat", args=[courrier.pk]),
        reverse("redaction:piece", args=[piece.pk]),
    ):
        client.force_login(agent)
        assert client.get(url).status_code == 200
        client.force_login(collegue)
        assert client.get(url).status_code == 404
        client.force_login(UserFactory(role="intrapreneur"))
        assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(nouveau).status_code == 403
    client.force_login(collegue)
    assert client.get(nouveau).status_code == 404


@pytest.mark.parametrize("nature", NatureCourrier.values)
def test_every_letter_page_opens_for_finance(
    client: Any, finance: Any, convention_complete: Any, contacts: Any, nature: str
) -> None:
    client.force_login(finance)
    url = reverse("redaction:courrier_nouveau", args=[convention_complete.pk, nature])
    reponse = client.get(url)
    assert reponse.status_code == 200
    texte = html.unescape(reponse.content.decode())
    prealable = {
        NatureCourrier.PREAVIS: "Enregistrez d'abord",
        NatureCourrier.COPIE_CBCM: "Déposez d'abord",
    }
    if nature in prealable:
        assert prealable[nature] in texte
    else:
        assert "Envoyer le courrier" in texte


def test_the_amendment_is_sent_for_signature_in_pdf_and_word(
    smtp: Any, finance: Any, convention_complete: Any, contacts: Any
) -> None:
    avenant = convention_complete.avenants_ordonnes()[1]
    courrier = preparer_courrier(
        convention_complete, NatureCourrier.POUR_SIGNATURE, finance, avenant=avenant
    )
    envoyer_courrier(courrier.pk)
    [message] = smtp.messages
    assert str(message["Subject"]).strip().startswith("Avenant n° 2 à la convention TEST-")
    pieces = _pieces(message)
    assert [(nom.rsplit(".", 1)[1], type_mime) for nom, type_mime, _ in pieces] == [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]
    assert all(nom.endswith(f"-avenant-2.{nom.rsplit('.', 1)[1]}") for nom, _, _ in pieces)
