"""The catalogue: categories, products, storefronts and the outbox that feeds search."""
