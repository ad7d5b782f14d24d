"""Committee reports: what a consultation received, computed in SQL, and the
files it is written to."""
