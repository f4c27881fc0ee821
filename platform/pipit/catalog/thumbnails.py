"""Where sorl-thumbnail (Oscar's ``{% oscar_thumbnail %}``) remembers the thumbnails it made.

sorl's default store reads a database row for every image the cache does not hold yet, so the
first view of a listing with new products cost a few queries per product. This store keeps the
same data in the cache only: a miss makes sorl look for the thumbnail file (and create it when
missing), never the database.
"""

from __future__ import annotations

from django.core.cache import InvalidCacheBackendError, cache, caches
from sorl.thumbnail.conf import settings
from sorl.thumbnail.kvstores.base import KVStoreBase


class CacheKVStore(KVStoreBase):
    """sorl-thumbnail key-value store in Django's cache (``settings.THUMBNAIL_KVSTORE``)."""

    @property
    def cache(self):
        try:
            return caches[settings.THUMBNAIL_CACHE]
        except InvalidCacheBackendError:
            return cache

    def _get_raw(self, key):
        return self.cache.get(key)

    def _set_raw(self, key, value):
        self.cache.set(key, value, settings.THUMBNAIL_CACHE_TIMEOUT)

    def _delete_raw(self, *keys):
        self.cache.delete_many(keys)

    def _find_keys_raw(self, prefix):
        # A cache cannot list its keys: ``thumbnail cleanup``/``clear`` have nothing to walk.
        return []
