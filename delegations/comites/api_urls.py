from rest_framework.routers import DefaultRouter

from .api import ComiteViewSet, ObligationViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # accept /x and /x/
router.include_root_view = False
router.register("comites", ComiteViewSet, basename="comite")
router.register("obligations", ObligationViewSet, basename="obligation")
urlpatterns = router.urls
