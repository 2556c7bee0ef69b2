"""Ratings and reviews from real trade: who may rate a supplier, the ratings shown with its
storefront and used by search, the supplier's reply, and reports to the officer's desk."""
