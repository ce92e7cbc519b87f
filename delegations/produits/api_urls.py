from rest_framework.routers import DefaultRouter

from .api import ProduitViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # accept /x and /x/
router.include_root_view = False
router.register("produits", ProduitViewSet, basename="produit")
urlpatterns = router.urls
