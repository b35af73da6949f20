"""archivist test suite (a package, so tests.helpers is ours and not a stray site-packages tests)."""
