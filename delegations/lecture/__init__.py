"""Lecture des conventions de délégation de gestion (extraction engine + command)."""
