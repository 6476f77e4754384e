"""Every write in matching: requests, introductions, advisers (and preferences), kpis, digests."""
