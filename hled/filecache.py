"""The cache without Redis: Django's file-based cache, shared by every worker on one machine.

Django's `FileBasedCache` writes each entry to a temporary file and renames it into place, so a
reader never sees half an entry; but its `add()` is a check followed by a write, and its
`incr()` (the base class's) a read followed by a write that also resets the entry's expiry to
the default timeout. Rate limits (consultations, CSP reports, page renders) count with `add()`
and `incr()`, and altcha-django's replay protection relies on `add()`: here both hold an
exclusive lock on one file in the cache directory, so two workers can neither both add a key
nor lose an increment, and an increment keeps the entry's expiry.
"""

import os
import pickle
import tempfile
import zlib
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks
from django.core.files.move import file_move_safe

# Not a cache entry: entries end in ".djcache", so clear() and culling leave the lock alone.
LOCK_NAME = "lock"


class FileCache(FileBasedCache):
    """`FileBasedCache` whose `add()` and `incr()` are atomic across processes."""

    @contextmanager
    def _exclusive(self):
        self._createdir()
        with open(os.path.join(self._dir, LOCK_NAME), "ab") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        fname = self._key_to_file(key, version)
        with self._exclusive():
            value = self._missing_key
            try:
                with open(fname, "rb") as f:
                    if not self._is_expired(f):
                        f.seek(0)
                        expiry = pickle.load(f)
                        value = pickle.loads(zlib.decompress(f.read()))
            except FileNotFoundError:
                pass
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self._replace(fname, expiry, value)
        return value

    def _replace(self, fname, expiry, value):
        """Write `value` with an absolute `expiry` (as `set()` writes, without culling)."""
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        renamed = False
        try:
            with open(fd, "wb") as f:
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
            file_move_safe(tmp_path, fname, allow_overwrite=True)
            renamed = True
        finally:
            if not renamed:
                os.remove(tmp_path)
