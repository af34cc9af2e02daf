"""Activities: everything a case does to the outside world. Each is safe to retry."""
