"""The journey engine: specification, event generation and forecast. Plain Python, no Django."""
