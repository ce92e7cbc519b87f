from django.urls import path, register_converter

from .api import DocumentAvenantView, DocumentConventionView


class Extension:
    regex = "docx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Extension, "extension")

urlpatterns = [
    path(
        "conventions/<int:pk>/document.<extension:extension>",
        DocumentConventionView.as_view(),
        name="convention-document",
    ),
    path(
        "conventions/<int:pk>/avenants/<int:numero>/document.<extension:extension>",
        DocumentAvenantView.as_view(),
        name="avenant-document",
    ),
]
