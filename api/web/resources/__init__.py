"""HTTP routes: the generated collections, article text, search and the index."""
