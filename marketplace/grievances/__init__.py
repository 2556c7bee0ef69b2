"""The grievance officer's desk: complaints under legal clocks, breaches, published notices."""
