from rest_framework.routers import DefaultRouter

from .api import AdministrationViewSet, ConventionViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # accept /conventions and /conventions/
router.include_root_view = False
router.register("conventions", ConventionViewSet, basename="convention")
router.register("administrations", AdministrationViewSet, basename="administration")
urlpatterns = router.urls
