"""The shared model: models, fixture records, the catalog, errors. No web framework, no SQL."""
