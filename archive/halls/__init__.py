"""The online panoramic hall (网上全景展馆)."""
