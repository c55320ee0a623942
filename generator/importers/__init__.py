"""Importers: paper metadata from arXiv and Hugging Face, turned into record files."""
