import pytest

from delegations.core.tests.factories import (
    AdministrationFactory,
    ConventionFactory,
    ProduitFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_factories_build_valid_objects() -> None:
    convention = ConventionFactory(produits=[ProduitFactory()])
    convention.full_clean()
    assert convention.echeancier.count() == 3
    assert convention.produits.count() == 1
    AdministrationFactory().full_clean()
    assert UserFactory().check_password("motdepasse-test")
