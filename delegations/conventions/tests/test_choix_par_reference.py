"""Forms choose a convention by its reference, never from a list of the whole register."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from delegations.conventions.forms import ConventionParReferenceField
from delegations.conventions.models import Convention
from delegations.core.tests.factories import ConventionFactory

pytestmark = pytest.mark.django_db


class Choix(forms.Form):
    convention = ConventionParReferenceField(required=False)

    def __init__(self, *args: Any, perimetre: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["convention"].queryset = perimetre  # type: ignore[attr-defined]


def test_a_typed_reference_chooses_its_convention() -> None:
    conv = ConventionFactory(reference="CONV-2024-042")
    form = Choix({"convention": " CONV-2024-042 "}, perimetre=Convention.objects.all())
    assert form.is_valid()
    assert form.cleaned_data["convention"] == conv


def test_a_reference_outside_the_perimeter_is_refused_in_french() -> None:
    dehors = ConventionFactory(reference="CONV-2024-007")
    form = Choix(
        {"convention": "CONV-2024-007"}, perimetre=Convention.objects.exclude(pk=dehors.pk)
    )
    assert not form.is_valid()
    assert form.errors["convention"] == [
        "Aucune convention de votre périmètre n'a cette référence."
    ]


def test_the_field_renders_a_text_input_without_the_register() -> None:
    ConventionFactory()
    html = str(Choix(perimetre=Convention.objects.all())["convention"])
    assert 'type="text"' in html
    assert "<option" not in html


def test_a_stored_id_is_shown_as_its_reference() -> None:
    conv = ConventionFactory(reference="CONV-2025-001")
    form = Choix(initial={"convention": conv.pk}, perimetre=Convention.objects.all())
    assert 'value="CONV-2025-001"' in str(form["convention"])


def test_a_stored_id_shows_its_reference_only_within_the_perimeter() -> None:
    dedans = ConventionFactory(reference="CONV-2024-101")
    dehors = ConventionFactory(
        reference="CONV-2024-102", delegant=dedans.delegant, delegataire=dedans.delegataire
    )
    perimetre = Convention.objects.exclude(pk=dehors.pk)
    assert f'value="{dedans.reference}"' in str(
        Choix(initial={"convention": dedans.pk}, perimetre=perimetre)["convention"]
    )
    rendu = str(Choix(initial={"convention": dehors.pk}, perimetre=perimetre)["convention"])
    assert dehors.reference not in rendu
