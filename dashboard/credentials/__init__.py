"""Provider credentials the dashboard must keep itself: B2Core's refreshed token pair."""
