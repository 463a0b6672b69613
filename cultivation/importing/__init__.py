"""Bringing people in from other tools' files, and taking them out again.

- `rows.py`: what a file becomes, one `PersonRow` per person, whatever tool made it.
  The readers write it; the import service reads it. This is the seam between them.
"""
