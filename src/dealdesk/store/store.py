"""Store: one connection to the archive, every domain's mixin composed."""

from __future__ import annotations

from .alerts import AlertsMixin
from .archive import ArchiveMixin
from .errors import wrap_public_methods
from .feeds import FeedsMixin
from .items import ItemsMixin
from .reading import ReadingMixin
from .schema import SchemaMixin
from .signals import SignalsMixin


# SchemaMixin last, ItemsMixin after the mixins built on it (alerts, reading): for the type
# checker each domain mixin derives from what it uses of the store, and a base must follow
# its subclasses in the MRO. No two mixins share a name.
@wrap_public_methods
class Store(
    AlertsMixin, ReadingMixin, FeedsMixin, ItemsMixin, SignalsMixin, ArchiveMixin, SchemaMixin
):
    """One connection to the archive: every domain's methods, each raising only StoreError."""
