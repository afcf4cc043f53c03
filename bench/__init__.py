"""The benchmark: this service against the limit and its peers, and the scale corpus."""
