"""Every write in matching (see the modules: requests, introductions, advisers, preferences, kpis, digests)."""
