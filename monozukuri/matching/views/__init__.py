"""Matching pages: requests, introductions, office pages (see urls.py)."""
