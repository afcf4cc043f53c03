"""Article Facts API: evidence-anchored facts from news articles over HTTP."""
