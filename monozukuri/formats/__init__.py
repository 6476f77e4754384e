"""Date and number formats per language (settings.FORMAT_MODULE_PATH); Django's own fill the rest."""
