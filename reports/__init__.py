"""Complaint briefs and the monthly risk report (R-RP-1, R-RP-2): data from the case store,
rendered as Markdown and as a self-contained HTML page with charts."""
