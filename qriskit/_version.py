"""The release's identity: its version and the name it is published under.

``pyproject.toml`` reads ``__version__`` from here (setuptools' dynamic version), so the
version is written once. The distribution is ``pyqriskit``: the name ``qriskit`` on the
public package index belongs to an unrelated project. The import name stays ``qriskit``.
"""

__version__ = "0.1.0"

#: The name to ``pip install``; hints about missing extras name it.
DISTRIBUTION = "pyqriskit"
