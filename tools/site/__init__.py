"""Building the website: what the book's Sphinx build runs besides Jupyter Book itself.

- :mod:`tools.site.book_extension`: the Sphinx extension ``_config.yml`` loads; copies the web
  assets before the build and keeps the execution cache honest about the widgets' code.
- :mod:`tools.site.assets`: the site's own copies of RequireJS, the widget manager and MathJax
  (``python -m tools.site.assets``); ``require_config.js`` is copied with them.
- :mod:`tools.site.site_fixes`: the small CSS/JS fixes in ``static/`` (accessibility, MathJax 2
  shim, the phone sidebar button).
- :mod:`tools.site.lite`: the JupyterLite site inside the website (``python -m tools.site.lite``);
  ``lite_static/`` holds its offline notice.
"""
