"""Relevance and speed benchmarks: the project's engine side by side with peer search engines."""
