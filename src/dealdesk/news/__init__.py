"""Fetching feeds (fetch, transport, the head start in early), parsing them (parse, xmlfeed),
and what is found in them (entities, signals, status, watches, enrichment).

httpx's package imports its command-line client (httpx._main) whenever click happens to be
installed (import-linter brings it into the dev environment), and with it rich's console,
progress and syntax and pygments: about a quarter of a warm refresh's time, for a client we
never run. A None in sys.modules makes that one import fail, and httpx falls back to the stub
`main` it has for installs without the CLI extras. Set here, before any module of this
package imports httpx.
"""

import sys
from types import ModuleType
from typing import cast

# None is the import system's own "not importable" mark, which typeshed's sys.modules omits.
sys.modules.setdefault("httpx._main", cast(ModuleType, None))
