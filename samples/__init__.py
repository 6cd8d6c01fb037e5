"""Sample photos that ship with Atelier (sources and licences in SOURCES.md)."""
