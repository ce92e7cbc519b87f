from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.trailing_slash = "/?"
router.register("rapprochements", api.RapprochementViewSet, basename="rapprochement")
router.register("ecarts-chorus", api.EcartViewSet, basename="ecart-chorus")

urlpatterns = router.urls
