"""Maintenance tools of the course repository, one package per audience (run from the root).

- :mod:`tools.exercises` (authors): ``python -m tools.exercises build|check|validate`` generates
  the exercise notebooks from their MyST sources and verifies the committed ones.
- :mod:`tools.grader` (instructors): ``python -m tools.grader autograde|feedback|report`` grades a
  class in sandboxes.
- :mod:`tools.site` (the website build): the Sphinx extensions ``_config.yml`` loads, the site's
  own JavaScript and the JupyterLite site.
"""
