"""briefgen: a static site generator for curated, cited briefings."""

__version__ = "0.1.0"
