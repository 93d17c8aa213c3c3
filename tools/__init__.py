"""Maintenance tools of the course repository (run them from the repository root).

``python -m tools.exercises build|check|validate``: generate and verify the exercise notebooks.
"""
