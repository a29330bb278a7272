"""dealdesk.store loads its domains when first used (store/__init__.py): the dashboard's
check that the store opens, before its first frame, costs only the schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dealdesk.store as store_package


def test_every_name_the_store_package_lists_loads():
    assert set(store_package.__all__) == set(store_package._HOME)
    for name in store_package.__all__:
        assert getattr(store_package, name) is not None
    assert store_package.Store.open.__qualname__.endswith("open")


def test_a_name_the_store_package_lacks_is_an_attribute_error():
    try:
        store_package.NoSuchName  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:
        raise AssertionError("no AttributeError")


def test_the_cli_and_the_schema_load_no_store_domain():
    code = ("import json, sys, dealdesk.cli\n"
            "from dealdesk.store.schema import SchemaMixin\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('dealdesk.store'))))")
    src = str(Path(store_package.__file__).parents[2])  # this dealdesk, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60, env=env)
    assert json.loads(done.stdout) == ["dealdesk.store", "dealdesk.store.errors",
                                       "dealdesk.store.schema", "dealdesk.store.terms"]
