"""The engine: source → module (source.py), per-file facts (context.py), the one walk
(walk.py), positions of reported nodes (positions.py), files → results (runner.py) and
project-level passes (project.py)."""
