"""Collection rules for the doctests under quotedb/ (pytest's testpaths include it)."""

import importlib.util

# quotedb/browse_plugin.py is Datasette's plugin and imports Datasette at the
# top, as plugins do; without the 'browse' extra there is nothing to test.
collect_ignore = [] if importlib.util.find_spec("datasette") else ["quotedb/browse_plugin.py"]
