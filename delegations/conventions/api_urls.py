from rest_framework.routers import DefaultRouter

from .api import AdministrationViewSet, ConventionViewSet

router = DefaultRouter(trailing_slash="/?")
router.include_root_view = False
router.register("conventions", ConventionViewSet, basename="convention")
router.register("administrations", AdministrationViewSet, basename="administration")
urlpatterns = router.urls
