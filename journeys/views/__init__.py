"""The app's pages, one module per page family: journeys (list, editor, preview, export, duplicate,
delete), imports, delivery (a journey's delivery panel), destinations, dynatrace (assets and the
panel's Dynatrace extras), decisions, team and auth. Helpers that several families share (the
delivery and assets panels) are in ``panels``; no view module imports another family's module.
"""
