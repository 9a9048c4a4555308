"""Segments: who a campaign or a survey is for (tier, development, verified homeowner, role,
joined between dates, redeemed recently). No pages of its own: the criteria fields, their
check and the query live here so that every feature with an audience asks the same way."""
