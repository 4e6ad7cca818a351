"""The bundled data, shipped inside the package (wheel and editable install alike).

``data/*.csv`` is the bundled registry (``ccm-tracker init``), ``data/demo/`` the demo
dataset (``ccm-tracker demo load``); ``data/README.md`` gives their sources. Every file under
``data/`` is package data by a glob in ``pyproject.toml`` (``[tool.setuptools.package-data]``),
so a new CSV or folder needs no packaging change.

This folder sits beside ``models/`` in a checkout and in ``site-packages`` alike, so code finds
it relative to its own package (``models.importer.BUNDLED_DIR``, ``models.demo.DEMO_DIR``),
never through the working directory and without importing this package by name.
"""
