"""Shared pieces; imports no feature."""
