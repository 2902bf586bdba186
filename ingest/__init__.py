"""Ingestion: loaders for Markdown, text, HTML, PDF and URLs; structural chunking; the pipeline."""
