"""The real-browser test: Home Assistant's own frontend in headless Chromium."""
