"""kkguide: the Kreis Kleve Welcome Guide publisher.

German chapters -> gettext catalogs -> HTML -> WeasyPrint -> PDF, one module per stage:
config, sources, segments, catalogs, translate, render, pdf, build, cli.
"""

__version__ = "0.1.0"
