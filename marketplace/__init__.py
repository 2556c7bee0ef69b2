"""TradeSetu, a B2B marketplace: `marketplace.app.create_app()` builds the application."""
